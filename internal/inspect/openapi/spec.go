package openapi

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/cache"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/parameters"
	"github.com/pb33f/libopenapi/datamodel"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// maxSpecSize bounds the document file read by Load (referenced files
// are read by the library).
const maxSpecSize = 16 << 20

// Spec is one loaded OpenAPI document. It is immutable and safe for
// concurrent use; Operation compiles the validators of one route from it.
type Spec struct {
	file    string
	version float32 // 3.0 or 3.1, as the library's schema compiler wants it
	model   *v3.Document
	bases   []string // path parts of the servers' URLs, e.g. "/v1"
	opts    *config.ValidationOptions
	params  parameters.ParameterValidator
	mu      sync.Mutex // serialises Operation's schema compilation
}

// Load reads and parses one OpenAPI document (JSON or YAML, version 3.0.x
// or 3.1.x) and the files its $refs name, relative to the document. A
// remote reference is refused (see the package documentation): nothing is
// ever fetched from the network. Errors name the file and the reason.
func Load(path string) (*Spec, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("openapi: %s: %w", path, err)
	}
	data, err := readSpecFile(abs)
	if err != nil {
		return nil, fmt.Errorf("openapi: %s: %w", path, err)
	}
	s, err := parse(abs, data)
	if err != nil {
		return nil, fmt.Errorf("openapi: %s: %w", path, err)
	}
	s.file = path
	return s, nil
}

func readSpecFile(abs string) ([]byte, error) {
	f, err := os.Open(abs)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSpecSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSpecSize {
		return nil, fmt.Errorf("larger than %d bytes", maxSpecSize)
	}
	return data, nil
}

// parse builds the model of the document at abs (whose bytes are data)
// and the options every validator of the Spec shares.
func parse(abs string, data []byte) (*Spec, error) {
	doc, err := libopenapi.NewDocumentWithConfiguration(data, &datamodel.DocumentConfiguration{
		BasePath:              filepath.Dir(abs),
		SpecFilePath:          filepath.Base(abs),
		AllowFileReferences:   true,
		AllowRemoteReferences: false,
		Logger:                slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return nil, err
	}
	ver := doc.GetVersion()
	if !strings.HasPrefix(ver, "3.0.") && !strings.HasPrefix(ver, "3.1.") {
		return nil, fmt.Errorf("OpenAPI version %q is not supported (want 3.0.x or 3.1.x)", ver)
	}
	// Remote references are looked for before the model is built, and
	// again in every file the build read: the library's own error for
	// them ("component does not exist") does not say what is wrong.
	info := doc.GetSpecInfo()
	if err := checkRefs(filepath.Base(abs), info.RootNode); err != nil {
		return nil, err
	}
	m, buildErr := doc.BuildV3Model()
	if rolodex := doc.GetRolodex(); rolodex != nil {
		for _, idx := range rolodex.GetIndexes() {
			if err := checkRefs(relName(abs, idx.GetSpecAbsolutePath()), idx.GetRootNode()); err != nil {
				return nil, err
			}
		}
	}
	if buildErr != nil {
		return nil, buildErr
	}
	if m == nil || m.Model.Paths == nil || m.Model.Paths.PathItems == nil {
		return nil, errors.New("the document has no paths")
	}
	model := &m.Model
	opts := []config.Option{
		config.WithFormatAssertions(),
		config.WithoutSecurityValidation(), // the identify phase's job
		config.WithRegexCache(&sync.Map{}),
		config.WithSchemaCache(cache.NewDefaultCache()),
		config.WithLogger(slog.New(slog.DiscardHandler)),
	}
	s := &Spec{
		version: helpers.VersionToFloat(model.Version),
		model:   model,
		bases:   serverBases(model.Servers),
		opts:    config.NewValidationOptions(opts...),
	}
	// The parameter validator sees a request whose path is the spec's
	// own (the route's prefix removed by the stage), so it is given the
	// document without servers: it would strip their paths again, by
	// bare string prefix.
	noServers := *model
	noServers.Servers = nil
	s.params = parameters.NewParameterValidator(&noServers, config.WithExistingOpts(s.opts))
	return s, nil
}

// relName names a referenced file relative to the document's directory
// when it is inside it.
func relName(doc, file string) string {
	if r, err := filepath.Rel(filepath.Dir(doc), file); err == nil {
		return r
	}
	return file
}

// Version returns the document's OpenAPI version family: "3.0" or "3.1".
func (s *Spec) Version() string {
	if s.version < 3.05 {
		return "3.0"
	}
	return "3.1"
}
