// Package config loads, validates and lints apiguard configuration files.
//
// It is the only package that reads the YAML file: Load (or Parse) turns it
// into a *Config whose every field is checked, defaulted and resolved, so
// the rest of the gateway can trust it without further checks:
//
//   - decoding is strict: an unknown field, a duplicate key, a second YAML
//     document, a YAML tag other than !!str or a merge key (<<) is an error,
//     located by its field path (routes[1].colour: unknown field);
//   - ${VAR} in string values is replaced by the environment variable after
//     parsing, never by textual substitution (no YAML injection); $$ is a
//     literal dollar; an unset variable is an error;
//   - secrets come from *_file fields or ${ENV} only, are held in Secret
//     values that never print, and inline ones are refused;
//   - defaults (see defaults.go) are applied and every Route's Policy is
//     the effective one, merged over Defaults;
//   - all validation errors are collected into one *Error.
//
// Lint reports insecure but valid settings, and Unenforced lists accepted
// settings whose behaviour is not built yet. The reference of every field
// is docs/config.md.
package config
