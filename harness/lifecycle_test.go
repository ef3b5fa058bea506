package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/types/known/emptypb"
)

// TestRefusesOutsideGrafana: without the magic cookie the executable says why on stderr and exits 1.
func TestRefusesOutsideGrafana(t *testing.T) {
	cmd := exec.Command(pluginExecutable(t))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
		t.Fatalf("want exit code 1, got %v", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout must stay empty, got %q", stdout.String())
	}
	if !strings.Contains(stderr.String(), "grafana_plugin_type") {
		t.Errorf("stderr should explain the missing grafana_plugin_type, got %q", stderr.String())
	}
}

// TestRawLifecycle runs the executable by hand to see what go-plugin hides: every byte of stdout and stderr,
// SIGINT being ignored, and exit after plugin.GRPCController/Shutdown.
func TestRawLifecycle(t *testing.T) {
	cmd := exec.Command(pluginExecutable(t))
	cmd.Env = append(os.Environ(), "grafana_plugin_type=datasource", "PLUGIN_PROTOCOL_VERSIONS=2")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderrRec := &lineRecorder{}
	cmd.Stderr = stderrRec
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	defer func() { _ = cmd.Process.Kill() }()

	br := bufio.NewReader(stdout)
	first := make(chan string, 1)
	go func() {
		line, _ := br.ReadString('\n')
		first <- line
	}()
	var line string
	select {
	case line = <-first:
	case <-time.After(10 * time.Second):
		t.Fatal("no handshake line within 10 s")
	}
	handshakeTime := time.Since(t0)
	t.Logf("handshake after %v: %q", handshakeTime, strings.TrimSpace(line))
	if handshakeTime > 2*time.Second {
		t.Errorf("handshake took %v, want < 2 s", handshakeTime)
	}
	parts := strings.Split(strings.TrimRight(line, "\n"), "|")
	if len(parts) != 5 || parts[0] != "1" || parts[1] != "2" || parts[2] != "tcp" || parts[4] != "grpc" {
		t.Fatalf("bad handshake line %q", line)
	}
	if host, _, err := net.SplitHostPort(parts[3]); err != nil || host != "127.0.0.1" {
		t.Fatalf("handshake address %q: want 127.0.0.1:<port>", parts[3])
	}
	rest := make(chan []string, 1)
	go func() { rest <- readLines(br) }()
	go func() { exited <- cmd.Wait() }()

	conn, err := grpc.NewClient(parts[3], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	health := grpc_health_v1.NewHealthClient(conn)
	checkServing := func(when string) {
		r, err := health.Check(ctx, &grpc_health_v1.HealthCheckRequest{Service: "plugin"})
		if err != nil || r.Status != grpc_health_v1.HealthCheckResponse_SERVING {
			t.Fatalf("%s: health for \"plugin\": %v %v", when, r, err)
		}
	}
	checkServing("after start")

	// a query through the raw pluginv2 client, frames decoded by the SDK
	dataClient := pluginv2.NewDataClient(conn)
	now := time.Now()
	req := &backend.QueryDataRequest{
		PluginContext: pluginContext("raw", 1),
		Queries: []backend.DataQuery{{
			RefID: "A", QueryType: "instant", TimeRange: backend.TimeRange{From: now.Add(-time.Hour), To: now},
			Interval: time.Second, MaxDataPoints: 100, JSON: json.RawMessage(`{"expr":"vector(1)+vector(1)","queryType":"instant"}`),
		}},
	}
	pr, err := dataClient.QueryData(ctx, backend.ToProto().QueryDataRequest(req))
	if err != nil {
		t.Fatal(err)
	}
	res, err := backend.FromProto().QueryDataResponse(pr)
	if err != nil {
		t.Fatalf("SDK could not decode the response: %v", err)
	}
	dr := res.Responses["A"]
	if dr.Error != nil || len(dr.Frames) != 1 {
		t.Fatalf("vector(1)+vector(1): %v, %d frames", dr.Error, len(dr.Frames))
	}
	if v, _ := dr.Frames[0].Fields[1].ConcreteAt(0); v != 2.0 {
		t.Errorf("vector(1)+vector(1) = %v", v)
	}

	// SIGINT (a Ctrl-C in Grafana's terminal) must not stop the plugin
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	checkServing("after SIGINT")

	// Shutdown → the process exits promptly
	t1 := time.Now()
	if err := conn.Invoke(ctx, "/plugin.GRPCController/Shutdown", &emptypb.Empty{}, &emptypb.Empty{}); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	select {
	case err := <-exited:
		t.Logf("exited %v after Shutdown (%v)", time.Since(t1), err)
		if err != nil {
			t.Errorf("exit status after Shutdown: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("process still running 2 s after Shutdown")
	}
	if extra := <-rest; len(extra) != 0 {
		t.Errorf("stdout must carry the handshake line only; also got %q", extra)
	}
	lines := stderrRec.Lines()
	if len(lines) == 0 {
		t.Error("expected some hclog lines on stderr")
	}
	checkHclogLines(t, "stderr", lines)
}

// TestPluginExecutable runs dist/gpx_logqlsql_linux_amd64 through go-plugin exactly like Grafana, then the
// conformance queries, then Kill and restart.
func TestPluginExecutable(t *testing.T) {
	exe := pluginExecutable(t)
	p := startPlugin(t, exec.Command(exe))
	t.Logf("started through go-plugin in %v", p.startupTime)
	if p.startupTime > 2*time.Second {
		t.Errorf("start-up took %v, want < 2 s", p.startupTime)
	}
	t.Run("conformance", func(t *testing.T) { runConformance(t, p, pluginContext("plugin-conformance", 1), true) })
	d := p.kill()
	t.Logf("Kill returned after %v", d)
	if d > 2*time.Second {
		t.Errorf("Kill took %v, want ≤ 2 s", d)
	}
	if !p.client.Exited() {
		t.Error("go-plugin did not detect the exit")
	}
	checkHclogLines(t, "stderr", p.stderr.Lines())

	// restart: a fresh process works
	p2 := startPlugin(t, exec.Command(exe))
	checkHealthOK(t, p2, pluginContext("restart", 1))
	if d := p2.kill(); d > 2*time.Second {
		t.Errorf("second Kill took %v", d)
	}
	if !p2.client.Exited() {
		t.Error("exit of the restarted plugin not detected")
	}
	checkHclogLines(t, "stderr (restart)", p2.stderr.Lines())
}

// TestServerModeLauncher: Grafana runs the POSIX sh launcher, which hands it the address of a running server-mode
// process; the same services and frames must work, and killing the plugin must not stop the server.
func TestServerModeLauncher(t *testing.T) {
	addr, stop := serverMode(t)
	defer stop()
	launcher := filepath.Join(repoRoot(t), "scripts", "sea", "launcher.sh")
	newCmd := func() *exec.Cmd {
		cmd := exec.Command(launcher)
		cmd.Env = append(os.Environ(), "GF_PLUGIN_GRPC_ADDRESS="+addr)
		return cmd
	}
	p := startPlugin(t, newCmd())
	t.Logf("launcher handshake through go-plugin in %v", p.startupTime)
	if p.startupTime > 2*time.Second {
		t.Errorf("launcher start-up took %v", p.startupTime)
	}
	pctx := pluginContext("server-conformance", 1)
	t.Run("conformance", func(t *testing.T) { runConformance(t, p, pctx, true) })
	d := p.kill()
	// go-plugin waits up to 2 s for a graceful exit; the launcher's sleeper only ends when killed after that
	t.Logf("Kill (launcher) returned after %v", d)
	if d > 3*time.Second {
		t.Errorf("Kill took %v, want ≤ 3 s", d)
	}
	if !p.client.Exited() {
		t.Error("go-plugin did not detect the launcher's exit")
	}
	checkHclogLines(t, "launcher stderr", p.stderr.Lines())
	if c, err := net.DialTimeout("tcp", addr, time.Second); err != nil {
		t.Fatalf("server mode stopped with the plugin: %v", err)
	} else {
		c.Close()
	}
	// restart: the data pushed before is still served (same server, same data source)
	p2 := startPlugin(t, newCmd())
	defer p2.kill()
	checkHealthOK(t, p2, pctx)
	labels := resourceJSON(t, p2, pctx, "GET", "labels?start=1795168800000000000&end=1795176000000000000", nil)
	if l, _ := labels["data"].([]any); len(l) == 0 {
		t.Errorf("after restart, labels are gone: %v", labels)
	}

	// a launcher without an address refuses clearly
	bad := exec.Command(launcher)
	bad.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := bad.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "grpc_address") {
		t.Errorf("launcher without address: %v %q", err, out)
	}
}

var _ = data.FrameTypeLogLines
