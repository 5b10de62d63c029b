package app

import (
	"net/http"
	"strings"
)

// listUsers answers GET /api/v1/users (and, undocumented, /api/v0/users).
//
// DELIBERATELY VULNERABLE (auth.missing): the spec says bearerAuth, but
// nobody asks for a credential.
//
// DELIBERATELY VULNERABLE (data.exposure): each user is serialised whole:
// card number, SSN, password hash and cloud access key id included.
func (a *api) listUsers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.s.listUsers())
}

// userWrite is what POST /api/v1/users and PATCH /api/v1/users/me bind
// from the request body.
//
// DELIBERATELY VULNERABLE (mass-assignment): the body is bound onto the
// whole account, privileged fields included. The spec's UserCreate and
// UserUpdate schemas list neither role nor is_admin (and forbid extra
// properties), but this code accepts and applies them: sign up with
// {"role": "admin", "is_admin": true} and you are an admin, who sees
// every order.
type userWrite struct {
	Username    *string `json:"username"`
	Password    *string `json:"password"`
	Email       *string `json:"email"`
	DisplayName *string `json:"display_name"`
	Role        *string `json:"role"`
	IsAdmin     *bool   `json:"is_admin"`
}

// apply copies the profile fields (and, deliberately, the privileged ones).
func (in *userWrite) apply(u *User) {
	if in.Email != nil {
		u.Email = *in.Email
	}
	if in.DisplayName != nil {
		u.DisplayName = *in.DisplayName
	}
	if in.Role != nil {
		u.Role = *in.Role
	}
	if in.IsAdmin != nil {
		u.IsAdmin = *in.IsAdmin
	}
}

// createUser answers POST /api/v1/users: public sign-up.
func (a *api) createUser(w http.ResponseWriter, r *http.Request) {
	var in userWrite
	if !decode(w, r, &in) {
		return
	}
	if in.Username == nil || !validUsername(*in.Username) {
		writeError(w, http.StatusBadRequest, "username: 3-32 characters of a-z, 0-9, '.', '_', '-'")
		return
	}
	if in.Password == nil || len(*in.Password) < 8 || len(*in.Password) > 128 {
		writeError(w, http.StatusBadRequest, "password: 8-128 characters")
		return
	}
	u := User{Username: *in.Username, DisplayName: *in.Username, PasswordHash: fakeHash(*in.Password)}
	in.apply(&u)
	u, err := a.s.addUser(u)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func validUsername(s string) bool {
	if len(s) < 3 || len(s) > 32 {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == ""
}

// getMe answers GET /api/v1/users/me.
func (a *api) getMe(w http.ResponseWriter, r *http.Request) {
	if u, ok := a.requireUser(w, r); ok {
		writeJSON(w, http.StatusOK, u)
	}
}

// updateMe answers PATCH /api/v1/users/me (mass-assignment: see userWrite).
func (a *api) updateMe(w http.ResponseWriter, r *http.Request) {
	me, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	var in userWrite
	if !decode(w, r, &in) {
		return
	}
	u, err := a.s.updateUser(me.ID, in.apply)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}
