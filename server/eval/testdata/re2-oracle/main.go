package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"unicode/utf16"
	"unicode/utf8"
)

// reads lines of JSON [pattern, input, from]; prints JSON [index, groups...] in UTF-16 units, or null
func u16(s string, b int) int {
	n := 0
	for _, r := range s[:b] {
		n += len(utf16.Encode([]rune{r}))
	}
	return n
}
func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var in []interface{}
		json.Unmarshal(sc.Bytes(), &in)
		p := in[0].(string)
		s := in[1].(string)
		from := int(in[2].(float64))
		re, err := regexp.Compile(p)
		if err != nil {
			b, _ := json.Marshal(map[string]string{"error": err.Error()})
			fmt.Println(string(b))
			continue
		}
		// from is in UTF-16 units: convert to bytes
		bf := 0
		n := 0
		for bf < len(s) && n < from {
			r, w := utf8.DecodeRuneInString(s[bf:])
			n += len(utf16.Encode([]rune{r}))
			bf += w
		}
		_ = bf
		var loc []int
		if from == 0 {
			loc = re.FindStringSubmatchIndex(s)
		} else {
			// emulate a search from `from` with context: FindAllStringSubmatchIndex won't; use the unexported path via ReplaceAllStringFunc? use Longest? keep simple: search s[bf:] is wrong for \b; skip
			loc = nil
			all := re.FindAllStringSubmatchIndex(s, -1)
			for _, m := range all {
				if m[0] >= bf {
					loc = m
					break
				}
			}
		}
		if loc == nil {
			fmt.Println("null")
			continue
		}
		out := []interface{}{u16(s, loc[0])}
		for g := 0; g < len(loc)/2; g++ {
			if loc[2*g] < 0 {
				out = append(out, nil)
			} else {
				out = append(out, s[loc[2*g]:loc[2*g+1]])
			}
		}
		b, _ := json.Marshal(out)
		fmt.Println(string(b))
	}
}
