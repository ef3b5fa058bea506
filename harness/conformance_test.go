package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/dataplane/sdata/numeric"
	"github.com/grafana/dataplane/sdata/reader"
	"github.com/grafana/dataplane/sdata/timeseries"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
)

// pluginContext is a data source instance on an in-memory DuckDB (one engine per uid in plugin mode).
func pluginContext(uid string, lastUpdated int64) backend.PluginContext {
	return backend.PluginContext{
		OrgID:    1,
		PluginID: "logqlsql-datasource",
		DataSourceInstanceSettings: &backend.DataSourceInstanceSettings{
			ID:                      1,
			UID:                     uid,
			Name:                    uid,
			JSONData:                json.RawMessage(`{"engine":"duckdb","url":"duckdb::memory:","maxLines":1000,"timeout":"60s"}`),
			DecryptedSecureJSONData: map[string]string{},
			Updated:                 time.UnixMilli(lastUpdated),
		},
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// callResource sends one resource call and returns the SDK's view of the (single-message) response.
func callResource(t *testing.T, p *startedPlugin, pctx backend.PluginContext, method, url string, body []byte) *backend.CallResourceResponse {
	t.Helper()
	path := url
	if i := strings.IndexByte(url, '?'); i >= 0 {
		path = url[:i]
	}
	req := backend.ToProto().CallResourceRequest(&backend.CallResourceRequest{
		PluginContext: pctx, Path: path, Method: method, URL: url, Body: body,
		Headers: map[string][]string{"Content-Type": {"application/json"}},
	})
	stream, err := p.resource.CallResource(ctxT(t), req)
	if err != nil {
		t.Fatalf("CallResource %s: %v", url, err)
	}
	var msgs []*pluginv2.CallResourceResponse
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("CallResource %s: %v", url, err)
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		t.Fatalf("CallResource %s: no response message", url)
	}
	first := backend.FromProto().CallResourceResponse(msgs[0])
	if first.Status == 0 {
		t.Fatalf("CallResource %s: the first message must carry the status", url)
	}
	for _, m := range msgs[1:] {
		first.Body = append(first.Body, m.Body...)
	}
	return first
}

func resourceJSON(t *testing.T, p *startedPlugin, pctx backend.PluginContext, method, url string, body []byte) map[string]any {
	t.Helper()
	r := callResource(t, p, pctx, method, url, body)
	if r.Status != 200 {
		t.Fatalf("%s %s: status %d: %s", method, url, r.Status, r.Body)
	}
	if ct := r.Headers["Content-Type"]; len(ct) == 0 || !strings.HasPrefix(ct[0], "application/json") {
		t.Errorf("%s %s: Content-Type %v", method, url, ct)
	}
	var v map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v", method, url, err)
	}
	return v
}

func checkHealthOK(t *testing.T, p *startedPlugin, pctx backend.PluginContext) {
	t.Helper()
	res, err := p.diagnostics.CheckHealth(ctxT(t), &pluginv2.CheckHealthRequest{PluginContext: backend.ToProto().PluginContext(pctx)})
	if err != nil {
		t.Fatal(err)
	}
	h := backend.FromProto().CheckHealthResponse(res)
	if h.Status != backend.HealthStatusOk {
		t.Fatalf("CheckHealth: %v %s", h.Status, h.Message)
	}
}

type conformanceCase struct {
	ID     string            `json:"id"`
	Kind   string            `json:"kind"`
	Path   string            `json:"path"`
	Params map[string]string `json:"params"`
	Status int               `json:"status"`
	Data   json.RawMessage   `json:"data"`
}

type lokiResult struct {
	ResultType string          `json:"resultType"`
	Result     json.RawMessage `json:"result"`
}

func loadCases(t *testing.T) ([]conformanceCase, []byte) {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "tests", "fixtures", "conformance")
	if d := os.Getenv("LOGQLSQL_CONFORMANCE_DIR"); d != "" {
		dir = d
	}
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []conformanceCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	dataset, err := os.ReadFile(filepath.Join(dir, "dataset.json"))
	if err != nil {
		t.Fatal(err)
	}
	return doc.Cases, dataset
}

func nsParam(t *testing.T, s string) int64 {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("bad ns %q", s)
	}
	return v
}

// runConformance pushes the data set through the Resource service, checks health and metrics, then replays every
// case of expected.json through QueryData / CallResource and compares with Loki's answers.
func runConformance(t *testing.T, p *startedPlugin, pctx backend.PluginContext, push bool) {
	cases, dataset := loadCases(t)
	if push {
		t0 := time.Now()
		res := resourceJSON(t, p, pctx, "POST", "push", dataset)
		t.Logf("pushed the data set in %v: %v", time.Since(t0), res["data"])
	}
	checkHealthOK(t, p, pctx)
	t.Run("CheckHealth bad settings", func(t *testing.T) {
		bad := pctx
		s := *bad.DataSourceInstanceSettings
		s.UID = "bad"
		s.JSONData = json.RawMessage(`{"engine":"duckdb","url":"duckdb::memory:","tableMapping":{"mode":"flat"}}`)
		bad.DataSourceInstanceSettings = &s
		res, err := p.diagnostics.CheckHealth(ctxT(t), &pluginv2.CheckHealthRequest{PluginContext: backend.ToProto().PluginContext(bad)})
		if err != nil {
			t.Fatal(err)
		}
		h := backend.FromProto().CheckHealthResponse(res)
		if h.Status != backend.HealthStatusError || !strings.Contains(h.Message, "table") {
			t.Errorf("want an error naming the table mapping, got %v %q", h.Status, h.Message)
		}
	})
	t.Run("CollectMetrics", func(t *testing.T) {
		res, err := p.diagnostics.CollectMetrics(ctxT(t), &pluginv2.CollectMetricsRequest{PluginContext: backend.ToProto().PluginContext(pctx)})
		if err != nil {
			t.Fatal(err)
		}
		m := backend.FromProto().CollectMetricsResponse(res)
		if !strings.Contains(string(m.PrometheusMetrics), "# TYPE") {
			t.Errorf("CollectMetrics is not Prometheus text: %.200q", m.PrometheusMetrics)
		}
	})
	t.Run("resources", func(t *testing.T) {
		tr := resourceJSON(t, p, pctx, "GET", `translate?query=`+urlQuery(`{app="api"} |= "error"`), nil)
		d, _ := tr["data"].(map[string]any)
		if sqls, _ := d["sql"].([]any); len(sqls) == 0 {
			t.Errorf("translate returned no SQL: %v", tr)
		}
		v := resourceJSON(t, p, pctx, "POST", "validate", []byte(`{"query":"{app=\"api\"} |= "}`))
		if v["valid"] != false {
			t.Errorf("validate of a broken query: %v", v)
		}
		if nf := callResource(t, p, pctx, "GET", "no/such/route", nil); nf.Status != 404 {
			t.Errorf("unknown route: status %d", nf.Status)
		}
	})
	t.Run("stream", func(t *testing.T) { checkStream(t, p, pctx) })

	counts := map[string]int{}
	var subMs []conformanceCase
	for _, c := range cases {
		c := c
		switch c.Kind {
		case "logs", "range", "instant", "error":
			if !msAligned(t, c) {
				subMs = append(subMs, c)
				continue
			}
		}
		t.Run(c.ID, func(t *testing.T) {
			switch c.Kind {
			case "labels", "values", "series":
				checkResourceCase(t, p, pctx, c)
			case "logs", "range", "instant", "error":
				checkQueryCase(t, p, pctx, c)
			default:
				t.Skipf("unknown kind %q", c.Kind)
			}
			counts[c.Kind]++
		})
	}
	// Grafana's DataQuery carries its time range in milliseconds, so a case on a sub-millisecond boundary runs on a
	// copy of the data set shifted in time (pushed after the other cases, days away from the original so that no
	// query sees both) by whatever makes the case's times whole milliseconds. A uniform shift keeps every boundary
	// relation (inclusive start, exclusive end, window edges, offsets) exactly; Loki's answer is shifted alike.
	pushed := map[int64]bool{}
	for _, c := range subMs {
		c := c
		t.Run(c.ID+" (shifted to whole ms)", func(t *testing.T) {
			shift, sc := shiftCase(t, c, dataset)
			if !pushed[shift] {
				resourceJSON(t, p, pctx, "POST", "push", shiftDataset(t, dataset, shift))
				pushed[shift] = true
			}
			checkQueryCase(t, p, pctx, sc)
			counts[c.Kind+" (shifted)"]++
		})
	}
	t.Logf("cases by kind: %v", counts)
}

const nsPerMs = int64(time.Millisecond)

// shiftCase returns the shift (≥ 1 day) that makes the case's start (or time) a whole millisecond, and the case with
// its times and Loki's answer shifted. An end left off a whole millisecond (a range shorter than 1 ms) is rounded up
// only for a log query and only when no entry of the data set lies in the added interval, so the answer is the same.
func shiftCase(t *testing.T, c conformanceCase, dataset []byte) (int64, conformanceCase) {
	t.Helper()
	first := c.Params["start"]
	if first == "" {
		first = c.Params["time"]
	}
	rem := nsParam(t, first) % nsPerMs
	shift := 24*int64(time.Hour) + (nsPerMs-rem)%nsPerMs
	sc := c
	sc.Params = map[string]string{}
	for k, v := range c.Params {
		sc.Params[k] = v
	}
	for _, k := range []string{"start", "end", "time"} {
		v, ok := c.Params[k]
		if !ok {
			continue
		}
		ns := nsParam(t, v) + shift
		if ns%nsPerMs != 0 {
			up := (ns/nsPerMs + 1) * nsPerMs
			if k != "end" || c.Kind != "logs" {
				t.Fatalf("%s=%s cannot be made a whole millisecond together with the other times", k, v)
			}
			if n := entriesIn(t, dataset, ns-shift, up-shift); n > 0 {
				t.Fatalf("rounding end up to a whole millisecond would add %d entries", n)
			}
			ns = up
		}
		sc.Params[k] = strconv.FormatInt(ns, 10)
	}
	var want lokiResult
	if err := json.Unmarshal(c.Data, &want); err != nil {
		t.Fatal(err)
	}
	switch want.ResultType {
	case "streams":
		var streams []lokiStream
		_ = json.Unmarshal(want.Result, &streams)
		for _, s := range streams {
			for _, v := range s.Values {
				v[0] = strconv.FormatInt(nsParam(t, v[0])+shift, 10)
			}
		}
		want.Result, _ = json.Marshal(streams)
	case "matrix":
		var series []lokiSeries
		_ = json.Unmarshal(want.Result, &series)
		for _, s := range series {
			for i := range s.Values {
				ts, _ := s.Values[i][0].(float64)
				s.Values[i][0] = ts + float64(shift)/1e9
			}
		}
		want.Result, _ = json.Marshal(series)
	}
	sc.Data, _ = json.Marshal(want)
	return shift, sc
}

type pushDataset struct {
	Streams []struct {
		Stream map[string]string   `json:"stream"`
		Values [][]json.RawMessage `json:"values"`
	} `json:"streams"`
}

func parseDataset(t *testing.T, dataset []byte) pushDataset {
	t.Helper()
	var d pushDataset
	if err := json.Unmarshal(dataset, &d); err != nil {
		t.Fatalf("dataset.json: %v", err)
	}
	return d
}

func entryTime(t *testing.T, v []json.RawMessage) int64 {
	var ts string
	if err := json.Unmarshal(v[0], &ts); err != nil {
		t.Fatalf("dataset.json: timestamp %s: %v", v[0], err)
	}
	return nsParam(t, ts)
}

// entriesIn counts the data set's entries (any stream) with from <= ts < to.
func entriesIn(t *testing.T, dataset []byte, from, to int64) int {
	n := 0
	for _, s := range parseDataset(t, dataset).Streams {
		for _, v := range s.Values {
			if ts := entryTime(t, v); ts >= from && ts < to {
				n++
			}
		}
	}
	return n
}

// shiftDataset is the push body of the data set with every timestamp moved by shift ns.
func shiftDataset(t *testing.T, dataset []byte, shift int64) []byte {
	d := parseDataset(t, dataset)
	for _, s := range d.Streams {
		for _, v := range s.Values {
			v[0], _ = json.Marshal(strconv.FormatInt(entryTime(t, v)+shift, 10))
		}
	}
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func urlQuery(s string) string {
	return strings.NewReplacer("%", "%25", " ", "%20", "\"", "%22", "{", "%7B", "}", "%7D", "|", "%7C", "=", "%3D", "~", "%7E", "&", "%26", "+", "%2B", "#", "%23").Replace(s)
}

func msAligned(t *testing.T, c conformanceCase) bool {
	for _, k := range []string{"start", "end", "time"} {
		if v, ok := c.Params[k]; ok && nsParam(t, v)%1_000_000 != 0 {
			return false
		}
	}
	return true
}

func checkResourceCase(t *testing.T, p *startedPlugin, pctx backend.PluginContext, c conformanceCase) {
	q := []string{}
	for k, v := range c.Params {
		q = append(q, k+"="+urlQuery(v))
	}
	sort.Strings(q)
	path := strings.TrimPrefix(c.Path, "/loki/api/v1/")
	res := resourceJSON(t, p, pctx, "GET", path+"?"+strings.Join(q, "&"), nil)
	got, _ := json.Marshal(res["data"])
	switch c.Kind {
	case "labels", "values":
		var want, have []string
		_ = json.Unmarshal(c.Data, &want)
		_ = json.Unmarshal(got, &have)
		sort.Strings(want)
		sort.Strings(have)
		if strings.Join(want, ",") != strings.Join(have, ",") {
			t.Errorf("%s: want %v, got %v", path, want, have)
		}
	case "series":
		var want, have []map[string]string
		_ = json.Unmarshal(c.Data, &want)
		_ = json.Unmarshal(got, &have)
		if a, b := labelSetKeys(want), labelSetKeys(have); strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Errorf("series: want %v, got %v", a, b)
		}
	}
}

func labelSetKeys(sets []map[string]string) []string {
	out := make([]string, len(sets))
	for i, s := range sets {
		out[i] = data.Labels(s).String()
	}
	sort.Strings(out)
	return out
}

// queryModel turns a Loki HTTP request of the conformance set into our DataQuery.
func queryModel(t *testing.T, c conformanceCase) backend.DataQuery {
	model := map[string]any{"expr": c.Params["query"], "refId": c.ID}
	dq := backend.DataQuery{RefID: c.ID, Interval: time.Second, MaxDataPoints: 43200}
	if strings.HasSuffix(c.Path, "/query") {
		ts := time.Unix(0, nsParam(t, c.Params["time"]))
		dq.TimeRange = backend.TimeRange{From: ts.Add(-time.Hour), To: ts}
		dq.QueryType = "instant"
		model["queryType"] = "instant"
	} else {
		start, end := nsParam(t, c.Params["start"]), nsParam(t, c.Params["end"])
		dq.TimeRange = backend.TimeRange{From: time.Unix(0, start), To: time.Unix(0, end)}
		dq.QueryType = "range"
		model["queryType"] = "range"
		if s, ok := c.Params["step"]; ok {
			model["step"] = s
		} else {
			// Loki's default step, so the answers compare exactly
			model["step"] = strconv.FormatInt(int64(math.Max(math.Floor(float64(end-start)/1e9/250), 1)), 10)
		}
	}
	if l, ok := c.Params["limit"]; ok {
		n, _ := strconv.Atoi(l)
		model["maxLines"] = n
	} else {
		model["maxLines"] = 100 // Loki's default limit
	}
	if d, ok := c.Params["direction"]; ok {
		model["direction"] = d
	}
	dq.JSON, _ = json.Marshal(model)
	return dq
}

func checkQueryCase(t *testing.T, p *startedPlugin, pctx backend.PluginContext, c conformanceCase) {
	req := &backend.QueryDataRequest{PluginContext: pctx, Queries: []backend.DataQuery{queryModel(t, c)}}
	pr, err := p.data.QueryData(ctxT(t), backend.ToProto().QueryDataRequest(req))
	if err != nil {
		t.Fatalf("QueryData must not fail at the gRPC level: %v", err)
	}
	if pr.Responses[c.ID].Status == 0 {
		t.Errorf("DataResponse.status is not set")
	}
	res, err := backend.FromProto().QueryDataResponse(pr)
	if err != nil {
		t.Fatalf("the SDK cannot decode the frames: %v", err)
	}
	dr, ok := res.Responses[c.ID]
	if !ok {
		t.Fatalf("no response for refId %s", c.ID)
	}
	if c.Kind == "error" {
		if dr.Error == nil {
			t.Fatalf("Loki rejected this query (%d); we answered %d frames", c.Status, len(dr.Frames))
		}
		if dr.Status != backend.Status(c.Status) || dr.ErrorSource != backend.ErrorSourceDownstream {
			t.Errorf("error response: status %d source %q, want %d downstream (%v)", dr.Status, dr.ErrorSource, c.Status, dr.Error)
		}
		return
	}
	if dr.Error != nil {
		t.Fatalf("query failed (status %d, %s): %v", dr.Status, dr.ErrorSource, dr.Error)
	}
	if dr.Status != backend.StatusOK {
		t.Errorf("status %d, want 200", dr.Status)
	}
	for _, f := range dr.Frames {
		if f.RefID != c.ID {
			t.Errorf("frame refId %q, want %q", f.RefID, c.ID)
		}
		if f.Meta == nil || f.Meta.ExecutedQueryString == "" && len(f.Fields) > 0 && f == dr.Frames[0] {
			t.Errorf("first frame lacks executedQueryString (the SQL)")
		}
	}
	var want lokiResult
	if err := json.Unmarshal(c.Data, &want); err != nil {
		t.Fatal(err)
	}
	switch want.ResultType {
	case "streams":
		compareLogs(t, dr.Frames, want.Result, c.Params["direction"])
	case "matrix":
		compareMatrix(t, dr.Frames, want.Result)
	case "vector", "scalar":
		compareVector(t, dr.Frames, want, strings.Contains(c.Params["query"], "sort"))
	default:
		t.Fatalf("unexpected result type %q", want.ResultType)
	}
}

type lokiStream struct {
	Stream map[string]string `json:"stream"`
	Values [][]string        `json:"values"`
}

func stripErrorDetails(l map[string]string) string {
	c := map[string]string{}
	for k, v := range l {
		if k == "__error_details__" {
			v = "*"
		}
		c[k] = v
	}
	return data.Labels(c).String()
}

func compareLogs(t *testing.T, frames data.Frames, raw json.RawMessage, direction string) {
	if len(frames) != 1 {
		t.Fatalf("log query: want one frame, got %d", len(frames))
	}
	f := frames[0]
	if f.Meta == nil || f.Meta.Type != data.FrameTypeLogLines || f.Meta.PreferredVisualization != data.VisTypeLogs {
		t.Fatalf("frame meta %+v: want type log-lines, preferredVisualisationType logs", f.Meta)
	}
	if f.Meta.TypeVersion != (data.FrameTypeVersion{0, 1}) {
		t.Errorf("typeVersion %v", f.Meta.TypeVersion)
	}
	idx := map[string]int{}
	for i, fl := range f.Fields {
		idx[fl.Name] = i
	}
	for name, typ := range map[string]data.FieldType{"timestamp": data.FieldTypeTime, "body": data.FieldTypeString, "id": data.FieldTypeString, "labels": data.FieldTypeJSON} {
		i, ok := idx[name]
		if !ok {
			t.Fatalf("log-lines frame lacks field %q (fields: %v)", name, idx)
		}
		if f.Fields[i].Type() != typ {
			t.Errorf("field %s has type %s, want %s", name, f.Fields[i].Type(), typ)
		}
	}
	if i, ok := idx["severity"]; ok && f.Fields[i].Type() != data.FieldTypeNullableString && f.Fields[i].Type() != data.FieldTypeString {
		t.Errorf("severity has type %s", f.Fields[i].Type())
	}
	var streams []lokiStream
	if err := json.Unmarshal(raw, &streams); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, s := range streams {
		key := stripErrorDetails(s.Stream)
		for _, v := range s.Values {
			want = append(want, fmt.Sprintf("%s %s %q", v[0], key, v[1]))
		}
	}
	n := f.Rows()
	var have []string
	ids := map[string]bool{}
	var prev time.Time
	for r := 0; r < n; r++ {
		ts := f.Fields[idx["timestamp"]].At(r).(time.Time)
		body := f.Fields[idx["body"]].At(r).(string)
		var labels map[string]string
		if err := json.Unmarshal(f.Fields[idx["labels"]].At(r).(json.RawMessage), &labels); err != nil {
			t.Fatalf("row %d: labels are not a JSON object of strings: %v", r, err)
		}
		id := f.Fields[idx["id"]].At(r).(string)
		if ids[id] {
			t.Errorf("row %d: duplicate id %q", r, id)
		}
		ids[id] = true
		if r > 0 {
			if direction == "forward" && ts.Before(prev) || direction != "forward" && ts.After(prev) {
				t.Errorf("row %d: timestamps out of %s order", r, direction)
			}
		}
		prev = ts
		have = append(have, fmt.Sprintf("%d %s %q", ts.UnixNano(), stripErrorDetails(labels), body))
	}
	sort.Strings(want)
	sort.Strings(have)
	if len(want) != len(have) {
		t.Fatalf("want %d entries, got %d", len(want), len(have))
	}
	for i := range want {
		if want[i] != have[i] {
			t.Fatalf("entry %d differs:\n want %s\n  got %s", i, want[i], have[i])
		}
	}
}

type lokiSeries struct {
	Metric map[string]string `json:"metric"`
	Values [][2]any          `json:"values"`
}

func lokiPoint(t *testing.T, p [2]any) (float64, float64) {
	ts, _ := p[0].(float64)
	s, _ := p[1].(string)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("bad value %v", p[1])
	}
	return ts, v
}

func closeEnough(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 1e-6*math.Max(math.Abs(a), math.Abs(b))
}

func compareMatrix(t *testing.T, frames data.Frames, raw json.RawMessage) {
	if ft, err := reader.CanReadBasedOnMeta(frames); err != nil || ft != data.FrameTypeTimeSeriesMulti {
		t.Fatalf("dataplane reader: %v %v", ft, err)
	}
	cr, err := timeseries.CollectionReaderFromFrames(frames)
	if err != nil {
		t.Fatal(err)
	}
	col, err := cr.GetCollection(true)
	if err != nil {
		t.Fatalf("dataplane timeseries reader rejected the frames: %v", err)
	}
	if col.Warning != nil {
		t.Errorf("dataplane warning: %v", col.Warning)
	}
	var want []lokiSeries
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	have := map[string]timeseries.MetricRef{}
	for _, ref := range col.Refs {
		have[ref.GetLabels().String()] = ref
	}
	if len(have) != len(want) {
		t.Errorf("want %d series, got %d (%v)", len(want), len(have), keys(have))
	}
	for _, s := range want {
		key := data.Labels(s.Metric).String()
		ref, ok := have[key]
		if !ok {
			t.Errorf("missing series %s (have %v)", key, keys(have))
			continue
		}
		n, _ := ref.Len()
		if n != len(s.Values) {
			t.Errorf("series %s: want %d points, got %d", key, len(s.Values), n)
			continue
		}
		for i, pt := range s.Values {
			ts, v := lokiPoint(t, pt)
			gotT, gotV, err := ref.NullableFloat64Point(i)
			if err != nil || gotV == nil {
				t.Fatalf("series %s point %d: %v", key, i, err)
			}
			if math.Abs(float64(gotT.UnixMilli())/1000-ts) > 0.001 || !closeEnough(*gotV, v) {
				t.Errorf("series %s point %d: want (%v, %v), got (%v, %v)", key, i, ts, v, float64(gotT.UnixMilli())/1000, *gotV)
			}
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func compareVector(t *testing.T, frames data.Frames, want lokiResult, ordered bool) {
	if ft, err := reader.CanReadBasedOnMeta(frames); err != nil || ft != data.FrameTypeNumericMulti {
		t.Fatalf("dataplane reader: %v %v", ft, err)
	}
	cr, err := numeric.CollectionReaderFromFrames(frames)
	if err != nil {
		t.Fatal(err)
	}
	col, err := cr.GetCollection(false)
	if err != nil {
		t.Fatalf("dataplane numeric reader rejected the frames: %v", err)
	}
	type sample struct {
		key string
		v   float64
	}
	var exp []sample
	if want.ResultType == "scalar" {
		var pt [2]any
		_ = json.Unmarshal(want.Result, &pt)
		_, v := lokiPoint(t, pt)
		exp = append(exp, sample{data.Labels{}.String(), v})
	} else {
		var ss []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		_ = json.Unmarshal(want.Result, &ss)
		for _, s := range ss {
			_, v := lokiPoint(t, s.Value)
			exp = append(exp, sample{data.Labels(s.Metric).String(), v})
		}
	}
	var got []sample
	for _, ref := range col.Refs {
		v, empty, err := ref.NullableFloat64Value()
		if err != nil || empty || v == nil {
			t.Fatalf("numeric value: %v empty=%v", err, empty)
		}
		got = append(got, sample{ref.GetLabels().String(), *v})
	}
	if !ordered {
		sort.Slice(exp, func(i, j int) bool { return exp[i].key < exp[j].key })
		sort.Slice(got, func(i, j int) bool { return got[i].key < got[j].key })
	}
	if len(exp) != len(got) {
		t.Fatalf("want %d samples %v, got %d %v", len(exp), exp, len(got), got)
	}
	for i := range exp {
		if exp[i].key != got[i].key || !closeEnough(exp[i].v, got[i].v) {
			t.Errorf("sample %d: want %v, got %v", i, exp[i], got[i])
		}
	}
}

// checkStream subscribes to a live tail, pushes a new line, and expects it in a JSON frame from RunStream.
func checkStream(t *testing.T, p *startedPlugin, pctx backend.PluginContext) {
	ctx := ctxT(t)
	pp := backend.ToProto().PluginContext(pctx)
	query := []byte(`{"expr":"{app=\"live-tail\"}","intervalMs":200}`)
	sub, err := p.stream.SubscribeStream(ctx, &pluginv2.SubscribeStreamRequest{PluginContext: pp, Path: "tail/harness", Data: query})
	if err != nil || sub.Status != pluginv2.SubscribeStreamResponse_OK {
		t.Fatalf("SubscribeStream: %v %v", sub, err)
	}
	bad, err := p.stream.SubscribeStream(ctx, &pluginv2.SubscribeStreamRequest{PluginContext: pp, Path: "nope", Data: query})
	if err != nil || bad.Status != pluginv2.SubscribeStreamResponse_NOT_FOUND {
		t.Errorf("SubscribeStream to an unknown path: %v %v", bad, err)
	}
	pub, err := p.stream.PublishStream(ctx, &pluginv2.PublishStreamRequest{PluginContext: pp, Path: "tail/harness", Data: []byte(`{}`)})
	if err != nil || pub.Status != pluginv2.PublishStreamResponse_PERMISSION_DENIED {
		t.Errorf("PublishStream: %v %v", pub, err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	rs, err := p.stream.RunStream(runCtx, &pluginv2.RunStreamRequest{PluginContext: pp, Path: "tail/harness", Data: query})
	if err != nil {
		t.Fatal(err)
	}
	line := fmt.Sprintf("live line %d", time.Now().UnixNano())
	pushed := false
	deadline := time.After(30 * time.Second)
	for {
		type recv struct {
			m   *pluginv2.StreamPacket
			err error
		}
		ch := make(chan recv, 1)
		go func() { m, err := rs.Recv(); ch <- recv{m, err} }()
		select {
		case <-deadline:
			t.Fatal("live tail: the pushed line never arrived")
		case r := <-ch:
			if r.err != nil {
				t.Fatalf("RunStream: %v", r.err)
			}
			var f data.Frame
			if err := json.Unmarshal(backend.FromProto().StreamPacket(r.m).Data, &f); err != nil {
				t.Fatalf("stream packet is not a JSON data frame: %v", err)
			}
			if f.Meta == nil || f.Meta.Type != data.FrameTypeLogLines {
				t.Fatalf("stream frame meta %+v", f.Meta)
			}
			if !pushed {
				body := fmt.Sprintf(`{"streams":[{"stream":{"app":"live-tail"},"values":[["%d",%q]]}]}`, time.Now().UnixNano(), line)
				resourceJSON(t, p, pctx, "POST", "push", []byte(body))
				pushed = true
				continue
			}
			for _, fl := range f.Fields {
				if fl.Name != "body" {
					continue
				}
				for i := 0; i < fl.Len(); i++ {
					if fl.At(i) == line {
						return
					}
				}
			}
		}
	}
}
