package gateway

import (
	"context"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// reloadDebounce groups the several events an editor's save produces.
const reloadDebounce = 200 * time.Millisecond

// Watch reloads the plan whenever the configuration file changes, until
// ctx ends. It watches the file's directory because editors save by
// writing a new file and renaming it over the old one.
func (g *Gateway) Watch(ctx context.Context) error {
	if g.path == "" {
		return nil
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	dir, name := filepath.Split(g.path)
	if err := w.Add(filepath.Clean(dir)); err != nil {
		_ = w.Close()
		return err
	}
	go g.watchLoop(ctx, w, name)
	return nil
}

func (g *Gateway) watchLoop(ctx context.Context, w *fsnotify.Watcher, name string) {
	defer w.Close()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if filepath.Base(ev.Name) == name && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename) != 0 {
				timer.Reset(reloadDebounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			g.log.Warn("configuration watcher error", "error", err.Error())
		case <-timer.C:
			_ = g.Reload() // logged by Reload; the old plan keeps serving on error
		}
	}
}
