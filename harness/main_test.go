package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestMain builds the single executable (and the server-mode bundle) when they are missing, so `go test ./...`
// works on a fresh checkout after `npm ci`. Set LOGQLSQL_REBUILD=1 to rebuild anyway.
func TestMain(m *testing.M) {
	wd, _ := os.Getwd()
	root := filepath.Dir(wd)
	need := os.Getenv("LOGQLSQL_REBUILD") == "1"
	if os.Getenv("LOGQLSQL_PLUGIN_EXE") == "" {
		for _, f := range []string{"dist/gpx_logqlsql_linux_amd64", "build/logqlsql-grpc.cjs"} {
			if _, err := os.Stat(filepath.Join(root, f)); err != nil {
				need = true
			}
		}
	}
	if need {
		cmd := exec.Command("node", "scripts/sea/build.mjs")
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "harness: building the plugin executable failed: %v\n", err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}
