package app

import (
	"encoding/json"
	"errors"
	"net/http"
)

// maxBody bounds request bodies (a size limit is not among the flaws on
// show, and the example should not fall over under a scan).
const maxBody = 64 << 10

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// errorBody is the API's error shape (schema Error in the spec).
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// writeStoreError answers a failed store write.
func writeStoreError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, errFull):
		writeError(w, http.StatusInsufficientStorage, err.Error())
	case errors.Is(err, errNotFound):
		writeError(w, http.StatusNotFound, "not found")
	default:
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}

// decode reads a JSON body into v. It does not refuse unknown fields: see
// the mass-assignment note in users.go.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body")
		return false
	}
	return true
}
