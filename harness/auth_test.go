package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestServerModeAuthToken: `logqlsql serve --auth-token T --grpc ADDR` refuses Grafana's calls that do not carry T,
// and accepts them when the data source holds T in its secure settings (secureJsonData.authToken) — the way Grafana
// sends it, through the launcher and Grafana's own plugin client (issue 10 item 5).
func TestServerModeAuthToken(t *testing.T) {
	root := repoRoot(t)
	if !cliHasGrpc(root) {
		t.Skip("build/logqlsql.cjs has no serve --grpc")
	}
	const token = "harness-token"
	t.Setenv("LOGQLSQL_SERVE_CMD", fmt.Sprintf(
		"node %s serve --db duckdb::memory: --listen 127.0.0.1:%d --grpc {addr} --auth-token %s",
		filepath.Join(root, "build", "logqlsql.cjs"), freePort(t), token))
	addr, stop := serverMode(t)
	defer stop()
	cmd := exec.Command(filepath.Join(root, "scripts", "sea", "launcher.sh"))
	cmd.Env = append(os.Environ(), "GF_PLUGIN_GRPC_ADDRESS="+addr)
	p := startPlugin(t, cmd)
	defer p.kill()

	without := pluginContext("auth", 1)
	_, err := p.diagnostics.CheckHealth(ctxT(t), &pluginv2.CheckHealthRequest{PluginContext: backend.ToProto().PluginContext(without)})
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("CheckHealth without the token: want Unauthenticated, got %v", err)
	}
	_, err = p.data.QueryData(ctxT(t), &pluginv2.QueryDataRequest{PluginContext: backend.ToProto().PluginContext(without)})
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("QueryData without the token: want Unauthenticated, got %v", err)
	}

	with := pluginContext("auth", 1)
	with.DataSourceInstanceSettings.DecryptedSecureJSONData = map[string]string{"authToken": token}
	checkHealthOK(t, p, with)
	labels := resourceJSON(t, p, with, "GET", "labels?start=1795168800000000000&end=1795176000000000000", nil)
	if _, ok := labels["data"]; !ok {
		t.Errorf("labels with the token: %v", labels)
	}
}
