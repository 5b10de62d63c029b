package scan

import (
	"encoding/json"
	"testing"
)

const spec30 = `openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "https://api.example.test/api/v2"}]
security: [{key: []}]
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-API-Key}
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
        tag: {type: string, enum: [dog, cat]}
        owner: {$ref: '#/components/schemas/Owner'}
    Owner:
      type: object
      properties:
        email: {type: string, format: email}
        pets: {type: array, items: {$ref: '#/components/schemas/Pet'}}
paths:
  /pets/{petId}:
    parameters: [{name: petId, in: path, required: true, schema: {type: integer, minimum: 5}}]
    get:
      responses: {200: {description: ok}}
    patch:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Pet'}
      responses: {200: {description: ok}}
  /health:
    get:
      security: []
      responses: {200: {description: ok}}
`

const spec31 = `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
 "paths": {"/items": {"post": {"requestBody": {"content": {"application/json": {
   "schema": {"type": ["object", "null"], "properties": {"n": {"type": ["integer", "null"]}}},
   "examples": {"a": {"value": {"n": 7}}}}}}, "responses": {"201": {"description": "x"}}}}}}`

func TestParseSpec(t *testing.T) {
	s, ops, err := ParseSpec([]byte(spec30))
	if err != nil {
		t.Fatal(err)
	}
	if s.BasePath() != "/api/v2" || len(ops) != 3 {
		t.Fatalf("base %q, %d ops", s.BasePath(), len(ops))
	}
	byKey := map[string]*Operation{}
	for _, op := range ops {
		byKey[op.Key()] = op
	}
	if op := byKey["GET /health"]; op == nil || op.Auth != AuthNone {
		t.Fatalf("health: %+v", op)
	}
	get := byKey["GET /pets/{petId}"]
	if get == nil || get.Auth != AuthRequired || len(get.In("path")) != 1 || ParamSample(get.In("path")[0]) != "5" {
		t.Fatalf("get: %+v", get)
	}
	patch := byKey["PATCH /pets/{petId}"]
	body, _ := json.Marshal(BodySample(patch.Body))
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	if m["name"] != "apiguard-scan" || m["tag"] != "dog" || m["id"] != nil {
		t.Fatalf("body sample %s", body)
	}

	_, ops, err = ParseSpec([]byte(spec31))
	if err != nil || len(ops) != 1 || !ops[0].JSONBody() {
		t.Fatalf("3.1: %v %+v", err, ops)
	}
	if b, _ := json.Marshal(BodySample(ops[0].Body)); string(b) != `{"n":7}` {
		t.Fatalf("3.1 example: %s", b)
	}
}

func TestParseSpecRejects(t *testing.T) {
	for _, in := range []string{`swagger: "2.0"`, `{"a": 1}`, `[1,2]`, "{{{"} {
		if _, _, err := ParseSpec([]byte(in)); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestMatchTemplateAndCollection(t *testing.T) {
	cases := []struct {
		tpl, p string
		want   bool
	}{
		{"/a/{id}", "/a/7", true}, {"/a/{id}", "/a", false}, {"/a/{id}/b", "/a/7/b", true}, {"/a", "/b", false},
	}
	for _, c := range cases {
		if got := MatchTemplate(c.tpl, c.p); got != c.want {
			t.Errorf("MatchTemplate(%q,%q)=%v", c.tpl, c.p, got)
		}
	}
	if Collection("/a/{id}") != "/a" || Collection("/a/{id}/b") != "/a/{id}/b" {
		t.Error("Collection")
	}
}
