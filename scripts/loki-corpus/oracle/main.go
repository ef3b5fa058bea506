// Loki's own parser as an oracle: reads JSON lines {"q": …, "b64": base64 of the query's exact bytes} and prints,
// for each, whether Loki's syntax.ParseExpr accepts it and what syntax.Prettify (format_query's answer) prints.
// Built against github.com/grafana/loki/v3 at the tag the corpus comes from (see build.sh).
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	"github.com/grafana/loki/v3/pkg/logql/syntax"
)

type in struct {
	Q   string `json:"q"`
	B64 string `json:"b64"`
}

type out struct {
	Q      string `json:"q"`
	OK     bool   `json:"ok"`
	Err    string `json:"err,omitempty"`
	Pretty string `json:"pretty,omitempty"`
}

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		var r in
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		q := r.Q
		if r.B64 != "" {
			b, err := base64.StdEncoding.DecodeString(r.B64)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			q = string(b)
		}
		o := out{Q: r.Q}
		func() {
			defer func() {
				if p := recover(); p != nil {
					o.OK, o.Err = false, fmt.Sprint("panic: ", p)
				}
			}()
			e, err := syntax.ParseExpr(q)
			if err != nil {
				o.Err = err.Error()
				return
			}
			o.OK = true
			o.Pretty = syntax.Prettify(e)
		}()
		if err := enc.Encode(o); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
