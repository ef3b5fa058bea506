// Package harness is the protocol conformance harness for the logqlsql Grafana backend plugin: it runs our
// executable (and server mode through the launcher) the way Grafana does — hashicorp/go-plugin with the plugin SDK's
// grpcplugin clients and Grafana's handshake — and checks the lifecycle, every service, and every frame with the
// SDK's decoder and the dataplane readers alerting uses.
package harness

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
)

// repoRoot is the repository root (the harness lives in <root>/harness).
func repoRoot(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(wd)
}

// pluginExecutable is dist/gpx_logqlsql_linux_amd64 (or $LOGQLSQL_PLUGIN_EXE), built by scripts/sea/build.mjs.
func pluginExecutable(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("LOGQLSQL_PLUGIN_EXE"); p != "" {
		return p
	}
	p := filepath.Join(repoRoot(t), "dist", "gpx_logqlsql_linux_amd64")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: run `node scripts/sea/build.mjs` first (%v)", p, err)
	}
	return p
}

// handshake is the configuration Grafana uses to start backend plugins.
var handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  grpcplugin.ProtocolVersion,
	MagicCookieKey:   grpcplugin.MagicCookieKey,
	MagicCookieValue: grpcplugin.MagicCookieValue,
}

// pluginSet is what Grafana dispenses from a backend plugin (protocol version 2).
func pluginSet() map[int]goplugin.PluginSet {
	return map[int]goplugin.PluginSet{
		grpcplugin.ProtocolVersion: {
			"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
			"resource":    &grpcplugin.ResourceGRPCPlugin{},
			"data":        &grpcplugin.DataGRPCPlugin{},
			"stream":      &grpcplugin.StreamGRPCPlugin{},
		},
	}
}

// lineRecorder keeps every line written to it.
type lineRecorder struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines []string
}

func (r *lineRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf.Write(p)
	for {
		i := bytes.IndexByte(r.buf.Bytes(), '\n')
		if i < 0 {
			break
		}
		r.lines = append(r.lines, string(r.buf.Next(i + 1)[:i]))
	}
	return len(p), nil
}

func (r *lineRecorder) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]string(nil), r.lines...)
	if r.buf.Len() > 0 {
		out = append(out, r.buf.String())
	}
	return out
}

var hclogTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$`)

// checkHclogLines fails unless every line is a JSON object with string @level, @message and @timestamp.
func checkHclogLines(t *testing.T, what string, lines []string) {
	t.Helper()
	levels := map[string]bool{"trace": true, "debug": true, "info": true, "warn": true, "error": true}
	for i, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("%s line %d is not JSON: %q", what, i+1, line)
			continue
		}
		for _, k := range []string{"@level", "@message", "@timestamp"} {
			if _, ok := rec[k].(string); !ok {
				t.Errorf("%s line %d: %s is not a string: %q", what, i+1, k, line)
			}
		}
		if lv, _ := rec["@level"].(string); !levels[lv] {
			t.Errorf("%s line %d: unknown @level %q", what, i+1, lv)
		}
		if ts, _ := rec["@timestamp"].(string); !hclogTimestamp.MatchString(ts) {
			t.Errorf("%s line %d: @timestamp %q lacks 6 fractional digits", what, i+1, ts)
		}
	}
}

// startedPlugin is a plugin process run through go-plugin the way Grafana runs it.
type startedPlugin struct {
	client      *goplugin.Client
	proto       goplugin.ClientProtocol
	stderr      *lineRecorder
	startupTime time.Duration
	data        grpcplugin.DataClient
	diagnostics grpcplugin.DiagnosticsClient
	resource    grpcplugin.ResourceClient
	stream      grpcplugin.StreamClient
}

// startPlugin starts cmd with go-plugin (Grafana's client configuration) and dispenses every service.
func startPlugin(t *testing.T, cmd *exec.Cmd) *startedPlugin {
	t.Helper()
	stderr := &lineRecorder{}
	logger := hclog.New(&hclog.LoggerOptions{Name: "harness", Level: hclog.Warn, Output: io.Discard})
	client := goplugin.NewClient(&goplugin.ClientConfig{
		Cmd:              cmd,
		HandshakeConfig:  handshake,
		VersionedPlugins: pluginSet(),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger:           logger,
		Stderr:           stderr,
		StartTimeout:     time.Minute,
	})
	t0 := time.Now()
	proto, err := client.Client()
	if err != nil {
		client.Kill()
		t.Fatalf("plugin did not start: %v\nstderr:\n%s", err, strings.Join(stderr.Lines(), "\n"))
	}
	p := &startedPlugin{client: client, proto: proto, stderr: stderr, startupTime: time.Since(t0)}
	dispense := func(name string) any {
		raw, err := proto.Dispense(name)
		if err != nil {
			t.Fatalf("dispense %s: %v", name, err)
		}
		return raw
	}
	p.data = dispense("data").(grpcplugin.DataClient)
	p.diagnostics = dispense("diagnostics").(grpcplugin.DiagnosticsClient)
	p.resource = dispense("resource").(grpcplugin.ResourceClient)
	p.stream = dispense("stream").(grpcplugin.StreamClient)
	if err := proto.Ping(); err != nil {
		t.Fatalf("ping (grpc.health.v1 for \"plugin\"): %v", err)
	}
	return p
}

// kill stops the plugin like Grafana does and returns how long Kill took.
func (p *startedPlugin) kill() time.Duration {
	t0 := time.Now()
	p.client.Kill()
	return time.Since(t0)
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// serverMode runs the server-mode gRPC endpoint: $LOGQLSQL_SERVE_CMD (with {addr} replaced), else
// `node build/logqlsql.cjs serve --db duckdb::memory: --listen 127.0.0.1:<free> --grpc {addr}` when the CLI has
// --grpc, else
// `node build/logqlsql-grpc.cjs {addr}`. It returns the address once the port accepts connections.
func serverMode(t *testing.T) (addr string, stop func()) {
	t.Helper()
	root := repoRoot(t)
	addr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	var argv []string
	if c := os.Getenv("LOGQLSQL_SERVE_CMD"); c != "" {
		argv = strings.Fields(strings.ReplaceAll(c, "{addr}", addr))
	} else if cliHasGrpc(root) {
		argv = []string{"node", filepath.Join(root, "build", "logqlsql.cjs"), "serve", "--db", "duckdb::memory:",
			"--listen", fmt.Sprintf("127.0.0.1:%d", freePort(t)), "--grpc", addr}
	} else {
		argv = []string{"node", filepath.Join(root, "build", "logqlsql-grpc.cjs"), addr}
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = root
	out := &lineRecorder{}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start server mode %v: %v", argv, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-done:
			t.Fatalf("server mode %v exited:\n%s", argv, strings.Join(out.Lines(), "\n"))
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("server mode %v did not listen on %s:\n%s", argv, addr, strings.Join(out.Lines(), "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("server mode: %s", strings.Join(argv, " "))
	return addr, func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
}

func cliHasGrpc(root string) bool {
	cli := filepath.Join(root, "build", "logqlsql.cjs")
	if _, err := os.Stat(cli); err != nil {
		return false
	}
	out, _ := exec.Command("node", cli, "serve", "--help").CombinedOutput()
	return bytes.Contains(out, []byte("--grpc"))
}

// readLines reads r to EOF, line by line.
func readLines(r io.Reader) []string {
	var lines []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}
