-- Hand-written ClickHouse SQL (chDB 26.7) for the 8 LogQL queries of ../shared/perf/api_bench.py: the same answers as
-- the DuckDB statements of ../shared/perf/hand_sql/queries.sql (checked by `npm run bench` against their results), on
-- the same rows and schema, copied from hand_sql's DuckDB file by bench/perf/handLoad.ts:
--   streams(stream_id, labels_json, one Nullable(String) column per label key, labels Map), MergeTree ORDER BY stream_id
--   entries(stream_id Int32, ts Int64 ns, line String), MergeTree PARTITION BY day ORDER BY (stream_id, ts).
-- (start = 2026-11-10T00:00:00Z = 1794268800000000000 ns, end = start + 72h = 1794528000000000000 ns)
-- Output conventions as in hand_sql: log queries return labels_json, ts, line (newest first); metric queries one
-- column per output label + t (unix seconds) + v. Streams are picked with `stream_id IN (subquery)` (the primary
-- key prunes granules); labels are joined to the few grouped rows. intDiv truncates toward zero, so buckets are
-- computed on positive offsets, as in the DuckDB SQL. Regexes are RE2 as in DuckDB (backslashes doubled in literals).
-- ClickHouse's JSON functions return defaults on invalid JSON, so they stand for DuckDB's TRY(json_…).

-- id: logs-filter
-- LogQL: {app="api"} |= "timeout"   (limit=1000, direction=backward, start <= ts < end)
SELECT s.labels_json AS labels_json, e.ts AS ts, e.line AS line
FROM (
  SELECT stream_id, ts, line
  FROM entries
  WHERE stream_id IN (SELECT stream_id FROM streams WHERE app = 'api')
    AND ts >= 1794268800000000000 AND ts < 1794528000000000000
    AND position(line, 'timeout') > 0
  ORDER BY ts DESC
  LIMIT 1000
) e
INNER JOIN streams s USING (stream_id)
ORDER BY ts DESC;

-- id: logs-json-filter
-- LogQL: {app="api"} | json | status >= 500 and latency_ms > 200   (limit=1000, backward)
-- JSONExtract(…, 'Nullable(String)') gives a field's text as DuckDB's json_extract_string does (numbers as text,
-- NULL when missing, null or not JSON). Label extraction runs only for the returned lines: every string/number/bool
-- leaf reachable through objects (flattened down to 5 levels; arrays and null skipped), key path sanitized and
-- joined with '_', '_extracted' on a clash with a stream label, last duplicate wins. Numbers keep their text as
-- written: ClickHouse re-prints raw numbers, so the n-th number leaf takes the n-th number token of the line.
SELECT toJSONString(mapUpdate(mapUpdate(labels, extracted), errors)) AS labels_json, ts, line
FROM (
  SELECT ts, line, labels,
         -- leaves, objects expanded level by level: (name, raw JSON text)
         arrayMap(x -> (concat(if(match(x.1, '^[0-9]'), '_', ''), x.1), x.2),
                  arrayMap(x -> (replaceRegexpAll(replaceRegexpAll(x.1, '^[ \\t\\n\\v\\f\\r]+|[ \\t\\n\\v\\f\\r]+$', ''), '[^a-zA-Z0-9_]', '_'), x.2),
                           JSONExtractKeysAndValuesRaw(if(err = 'JSONParserErr', '{}', line)))) AS l1,
         arrayFlatten(arrayMap(x -> if(JSONType(x.2) = 'Object', arrayMap(y -> (concat(x.1, '_', replaceRegexpAll(replaceRegexpAll(y.1, '^[ \\t\\n\\v\\f\\r]+|[ \\t\\n\\v\\f\\r]+$', ''), '[^a-zA-Z0-9_]', '_')), y.2), JSONExtractKeysAndValuesRaw(x.2)), [x]), l1)) AS l2,
         arrayFlatten(arrayMap(x -> if(JSONType(x.2) = 'Object', arrayMap(y -> (concat(x.1, '_', replaceRegexpAll(replaceRegexpAll(y.1, '^[ \\t\\n\\v\\f\\r]+|[ \\t\\n\\v\\f\\r]+$', ''), '[^a-zA-Z0-9_]', '_')), y.2), JSONExtractKeysAndValuesRaw(x.2)), [x]), l2)) AS l3,
         arrayFlatten(arrayMap(x -> if(JSONType(x.2) = 'Object', arrayMap(y -> (concat(x.1, '_', replaceRegexpAll(replaceRegexpAll(y.1, '^[ \\t\\n\\v\\f\\r]+|[ \\t\\n\\v\\f\\r]+$', ''), '[^a-zA-Z0-9_]', '_')), y.2), JSONExtractKeysAndValuesRaw(x.2)), [x]), l3)) AS l4,
         arrayFlatten(arrayMap(x -> if(JSONType(x.2) = 'Object', arrayMap(y -> (concat(x.1, '_', replaceRegexpAll(replaceRegexpAll(y.1, '^[ \\t\\n\\v\\f\\r]+|[ \\t\\n\\v\\f\\r]+$', ''), '[^a-zA-Z0-9_]', '_')), y.2), JSONExtractKeysAndValuesRaw(x.2)), [x]), l4)) AS items,
         arrayMap(x -> toString(JSONType(x.2)), items) AS types,
         -- number tokens of the line in document order, and how many each item holds (arrays count theirs)
         arrayFilter(t -> substring(t, 1, 1) != '"', extractAll(line, '"(?:[^"\\\\]|\\\\.)*"|-?[0-9][0-9.eE+-]*')) AS nums,
         arrayCumSum(arrayMap((x, t) -> multiIf(t IN ('Int64', 'UInt64', 'Double'), 1,
                                                t IN ('Array', 'Object'), length(arrayFilter(u -> substring(u, 1, 1) != '"', extractAll(x.2, '"(?:[^"\\\\]|\\\\.)*"|-?[0-9][0-9.eE+-]*'))), 0),
                              items, types)) AS upto,
         arrayFilter((x, t) -> t NOT IN ('Object', 'Array', 'Null'),
                     arrayMap((x, t, n) -> (x.1, multiIf(t = 'String', JSONExtractString(x.2), t = 'Bool', x.2, nums[n])), items, types, upto),
                     types) AS leaves,
         arrayFilter((x, i) -> NOT has(arraySlice(arrayMap(y -> y.1, leaves), i + 1), x.1), leaves, arrayEnumerate(leaves)) AS last,
         mapFromArrays(arrayMap(x -> if(mapContains(labels, x.1), concat(x.1, '_extracted'), x.1), last), arrayMap(x -> x.2, last)) AS extracted,
         mapFromArrays(arrayFilter((k, v) -> v IS NOT NULL, ['__error__', '__error_details__'], [err, err_details]),
                       arrayMap(v -> assumeNotNull(v), arrayFilter(v -> v IS NOT NULL, [err, err_details]))) AS errors
  FROM (
    SELECT stream_id, ts, line,
           multiIf(st IS NULL, 'JSONParserErr', st_num IS NULL OR lat_num IS NULL, 'LabelFilterErr', NULL) AS err,
           multiIf(st IS NOT NULL AND st_num IS NULL, concat('strconv.ParseFloat: parsing ', toJSONString(st), ': invalid syntax'),
                   st IS NOT NULL AND lat IS NOT NULL AND lat_num IS NULL, concat('strconv.ParseFloat: parsing ', toJSONString(lat), ': invalid syntax'),
                   NULL) AS err_details
    FROM (
      SELECT stream_id, ts, line, st, lat, toFloat64OrNull(st) AS st_num, toFloat64OrNull(lat) AS lat_num
      FROM (
        SELECT stream_id, ts, line,
               -- both fields in one parse; a named tuple also reads arrays by position, so objects only
               if(startsWith(line, '{') OR match(line, '^[ \\t\\n\\r]*\\{'),
                  JSONExtract(line, 'Tuple(status Nullable(String), latency_ms Nullable(String))'),
                  (NULL, NULL)) AS f,
               f.1 AS st, f.2 AS lat
        FROM entries
        WHERE stream_id IN (SELECT stream_id FROM streams WHERE app = 'api')
          AND ts >= 1794268800000000000 AND ts < 1794528000000000000
      )
      -- Loki keeps a line whose JSON is not an object or whose status/latency_ms is not a number (with an
      -- __error__ label); the fallbacks keep those rare rows, as the DuckDB statement does.
      WHERE coalesce(st_num >= 500,
                     if(st IS NULL, NOT (isValidJSON(line) AND JSONType(line) = 'Object'), substring(st, 1, 1) NOT IN ('{', '[')))
        AND if(st_num IS NULL, true, coalesce(lat_num > 200, lat IS NOT NULL AND substring(lat, 1, 1) NOT IN ('{', '[')))
      ORDER BY ts DESC
      LIMIT 1000
    )
  ) m
  INNER JOIN streams s USING (stream_id)
)
ORDER BY ts DESC;

-- id: count-by-level
-- LogQL: sum by (level) (count_over_time({app="api"}[5m]))   step=300
SELECT s.level AS level, c.t AS t, toFloat64(sum(c.n)) AS v
FROM (
  SELECT stream_id,
         1794268800 + 300 * (intDiv(ts - 1794268800000000000 + 2 * 300000000000 - 1, 300000000000) - 1) AS t,
         count() AS n
  FROM entries
  WHERE stream_id IN (SELECT stream_id FROM streams WHERE app = 'api')
    AND ts > 1794268800000000000 - 300000000000 AND ts <= 1794528000000000000
  GROUP BY stream_id, t
) c
INNER JOIN streams s USING (stream_id)
GROUP BY level, t;

-- id: rate-overlap
-- LogQL: sum by (host) (rate({app="web"}[5m]))   step=60
SELECT s.host AS host, 1794268800 + 60 * b.k AS t, sum(b.c) / 300 AS v
FROM (
  SELECT stream_id, k0 + d AS k, c
  FROM (
    SELECT stream_id,
           intDiv(ts - 1794268800000000000 + 300000000000 + 60000000000 - 1, 60000000000) - 5 AS k0,
           count() AS c
    FROM entries
    WHERE stream_id IN (SELECT stream_id FROM streams WHERE app = 'web')
      AND ts > 1794268800000000000 - 300000000000 AND ts <= 1794528000000000000
    GROUP BY stream_id, k0
  )
  ARRAY JOIN range(5) AS d
  WHERE k BETWEEN 0 AND 4320
) b
INNER JOIN streams s USING (stream_id)
GROUP BY host, t;

-- id: json-quantile
-- LogQL: quantile_over_time(0.99, {app="api"} | json | unwrap latency_ms [15m]) by (host)   step=900
-- quantileExactInclusive interpolates linearly between closest ranks at (n - 1) q, as DuckDB's quantile_cont.
SELECT s.host AS host, q.t AS t, quantileExactInclusive(0.99)(q.x) AS v
FROM (
  SELECT stream_id,
         1794268800 + 900 * (intDiv(ts - 1794268800000000000 + 2 * 900000000000 - 1, 900000000000) - 1) AS t,
         toFloat64OrNull(JSONExtract(line, 'latency_ms', 'Nullable(String)')) AS x
  FROM entries
  WHERE stream_id IN (SELECT stream_id FROM streams WHERE app = 'api')
    AND ts > 1794268800000000000 - 900000000000 AND ts <= 1794528000000000000
) q
INNER JOIN streams s USING (stream_id)
GROUP BY host, t
HAVING v IS NOT NULL;

-- id: logfmt-errors
-- LogQL: sum by (status) (count_over_time({app="web"} | logfmt | __error__="" | status >= 500 [10m]))   step=600
-- status = value of the LAST status key that Loki's logfmt decoder (non-strict) would produce, quoted or not; the
-- same two regexes as the DuckDB statement: a DFA-only fast path for lines with exactly one well-formed unquoted
-- 'status=' and no '"' before it, else a regex tokenizing the whole line like the decoder (greedy = last token
-- wins; `(?-s)`: there `.` stops at a newline, as in DuckDB). Non-strict logfmt never sets __error__.
SELECT status, t, toFloat64(count()) AS v
FROM (
  SELECT 1794268800 + 600 * (intDiv(ts - 1794268800000000000 + 2 * 600000000000 - 1, 600000000000) - 1) AS t,
         if(match(line, '^(?:(?:[^s"]|s(?:s|ts|tas|tats|tatuss)*(?:[^ts"]|t[^as"]|ta[^ts"]|tat[^su"]|tatu[^s"]|tatus[^=s"]))*(?:s(?:s|ts|tas|tats|tatuss)*(?:t|ta|tat|tatu|tatus)?)?[\\x00-\\x20])?status=[^\\x00-\\x20"=]+(?: (?:[^s]|s(?:s|ts|tas|tats|tatuss)*(?:[^ts]|t[^as]|ta[^ts]|tat[^su]|tatu[^s]|tatus[^=s]))*(?:s(?:s|ts|tas|tats|tatuss)*(?:t|ta|tat|tatu|tatus)?)?)?$'),
            extract(line, 'status=([^\\x00-\\x20"=]+)'),
            arrayFirst(g -> g != '', extractGroups(line, '(?-s)^(?:[\\x00-\\x20]*(?:[^\\x00-\\x20"=]+="(?:[^"\\\\]|\\\\.)*"|(?:[^\\x00-\\x20"=]+(?:=(?:[^\\x00-\\x20"][^\\x00-\\x20]*)?)?|[^\\x00-\\x20"=]*"[^\\x00-\\x20]*|=[^\\x00-\\x20]*)[\\x00-\\x20]))*[\\x00-\\x20]*status=(?:"((?:[^"\\\\]|\\\\.)+)"|([^\\x00-\\x20"=]+)(?:[\\x00-\\x20]|$))'))) AS status
  FROM entries
  WHERE stream_id IN (SELECT stream_id FROM streams WHERE app = 'web')
    AND ts > 1794268800000000000 - 600000000000 AND ts <= 1794528000000000000
)
WHERE toFloat64OrNull(status) >= 500
GROUP BY status, t;

-- id: regex-all-prod
-- LogQL: sum(count_over_time({env="prod"} |~ "(?i)error|timeout" [10m]))   step=600
-- An ASCII case-insensitive substring search: no other character case-folds to a letter of these two words.
SELECT 1794268800 + 600 * (intDiv(ts - 1794268800000000000 + 2 * 600000000000 - 1, 600000000000) - 1) AS t,
       toFloat64(count()) AS v
FROM entries
WHERE stream_id IN (SELECT stream_id FROM streams WHERE env = 'prod')
  AND ts > 1794268800000000000 - 600000000000 AND ts <= 1794528000000000000
  AND multiSearchAnyCaseInsensitive(line, ['error', 'timeout'])
GROUP BY t;

-- id: topk-paths
-- LogQL: topk(5, sum by (path) (count_over_time({app="nginx"} | pattern "<_> \"<_> <path> <_>\" <_>" [1h])))   instant, time=end
-- pattern matcher: after the first ' "', skip to the next ' ', path = text up to the following ' ' (or to the end
-- of the line); no ' "' or no ' ' after it -> no path label (NULL); an empty capture gives path="".
SELECT path, 1794528000 AS t, toFloat64(count()) AS v
FROM (
  SELECT if(q = 0 OR position(substring(line, q + 2), ' ') = 0, NULL, splitByChar(' ', substring(line, q + 2))[2]) AS path
  FROM (
    SELECT line, position(line, ' "') AS q
    FROM entries
    WHERE stream_id IN (SELECT stream_id FROM streams WHERE app = 'nginx')
      AND ts > 1794528000000000000 - 3600000000000 AND ts <= 1794528000000000000
  )
)
GROUP BY path
ORDER BY v DESC
LIMIT 5;
