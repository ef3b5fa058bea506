-- Hand-written PostgreSQL (15) SQL for the 8 LogQL queries of ../shared/perf/api_bench.py: the same answers as the
-- DuckDB statements of ../shared/perf/hand_sql/queries.sql (checked by `npm run bench` against their results), on the
-- same rows and schema, copied from hand_sql's DuckDB file by bench/perf/handLoad.ts:
--   streams(stream_id, labels_json, one text column per label key, labels jsonb),
--   entries(stream_id integer, ts bigint ns, line text COLLATE "C"), clustered by and indexed on (stream_id, ts).
-- (start = 2026-11-10T00:00:00Z = 1794268800000000000 ns, end = start + 72h = 1794528000000000000 ns)
-- Output conventions as in hand_sql: log queries return labels_json, ts, line (newest first); metric queries one
-- column per output label + t (unix seconds) + v. bigint division truncates toward zero, so buckets are computed on
-- positive offsets, as in the DuckDB SQL. A number is the text a regex accepts (decimal, exponent, inf, nan, as
-- Go's strconv.ParseFloat and DuckDB's TRY_CAST do), written `substring(x FROM '(?i)^(…)$')::float8`: NULL when not
-- a number, and x, which the planner may inline as a whole expression, is computed once.
-- PostgreSQL 15 cannot try a JSON cast without a subtransaction per row (no `IS JSON` before 16): the api streams
-- hold only JSON objects (gen_logs.py), so their lines are cast directly; a line that is not JSON would make the
-- statement fail where DuckDB's TRY(...) gives it JSONParserErr.

-- id: logs-filter
-- LogQL: {app="api"} |= "timeout"   (limit=1000, direction=backward, start <= ts < end)
SELECT s.labels_json, e.ts, e.line
FROM entries e JOIN streams s USING (stream_id)
WHERE s.app = 'api'
  AND e.ts >= 1794268800000000000 AND e.ts < 1794528000000000000
  AND strpos(e.line, 'timeout') > 0
ORDER BY e.ts DESC
LIMIT 1000;

-- id: logs-json-filter
-- LogQL: {app="api"} | json | status >= 500 and latency_ms > 200   (limit=1000, backward)
-- Each line is parsed once (jsonb) for the filter; a JSON number converts without the number regex (a number past
-- float8's range would raise). Label extraction runs only for the returned lines, on the json type, which keeps
-- numbers as written and duplicate keys in order.
WITH RECURSIVE m AS MATERIALIZED (
  SELECT row_number() OVER () AS rid, stream_id, ts, line,
         CASE WHEN st IS NULL THEN 'JSONParserErr'
              WHEN st_num IS NULL OR lat_num IS NULL THEN 'LabelFilterErr' END AS err,
         CASE WHEN st IS NOT NULL AND st_num IS NULL
                THEN 'strconv.ParseFloat: parsing ' || to_json(st) || ': invalid syntax'
              WHEN st IS NOT NULL AND lat_num IS NULL
                THEN 'strconv.ParseFloat: parsing ' || to_json(lat) || ': invalid syntax' END AS err_details
  FROM (
    SELECT stream_id, ts, line, st, lat, st_num, lat_num
    FROM (
      SELECT stream_id, ts, line, st, lat, jt,
             CASE WHEN st_t = 'number' THEN st::float8 ELSE substring(st FROM '(?i)^([-+]?(([0-9]+[.]?[0-9]*|[.][0-9]+)(e[-+]?[0-9]+)?|inf|infinity|nan))$')::float8 END AS st_num,
             CASE WHEN lat_t = 'number' THEN lat::float8 ELSE substring(lat FROM '(?i)^([-+]?(([0-9]+[.]?[0-9]*|[.][0-9]+)(e[-+]?[0-9]+)?|inf|infinity|nan))$')::float8 END AS lat_num
      FROM (
        SELECT stream_id, ts, line, j ->> 'status' AS st, j ->> 'latency_ms' AS lat, jsonb_typeof(j) AS jt,
               jsonb_typeof(j -> 'status') AS st_t, jsonb_typeof(j -> 'latency_ms') AS lat_t
        FROM (
          SELECT e.stream_id, e.ts, e.line, e.line::jsonb AS j
          FROM entries e
          WHERE e.stream_id = ANY (ARRAY(SELECT stream_id FROM streams WHERE app = 'api'))
            AND e.ts >= 1794268800000000000 AND e.ts < 1794528000000000000
          OFFSET 0  -- a fence: each line is cast once, and only lines of the api streams are
        ) g
      ) f
    ) n
    -- Loki keeps a line whose JSON is not an object or whose status/latency_ms is not a number (with an __error__
    -- label); the fallbacks keep those rare rows, as the DuckDB statement does.
    WHERE coalesce(st_num >= 500,
                   CASE WHEN st IS NULL THEN jt <> 'object' ELSE left(st, 1) NOT IN ('{', '[') END)
      AND CASE WHEN st_num IS NULL THEN true
               ELSE coalesce(lat_num > 200, lat IS NOT NULL AND left(lat, 1) NOT IN ('{', '[')) END
    ORDER BY ts DESC
    LIMIT 1000
  ) k
),
-- Label extraction: every string/number/bool leaf reachable through objects (arrays and null skipped), key path
-- sanitized and joined with '_', '_extracted' on a clash with a stream label, last duplicate wins.
t(rid, name, path, type, value) AS (
  SELECT m.rid,
         CASE WHEN btrim(j.key, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)) ~ '^[0-9]' THEN '_' ELSE '' END
           || regexp_replace(btrim(j.key, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)), '[^a-zA-Z0-9_]', '_', 'g'),
         ARRAY[j.n], json_typeof(j.value), j.value
  FROM m, json_each(CASE WHEN m.err = 'JSONParserErr' THEN '{}' ELSE m.line END::json) WITH ORDINALITY j(key, value, n)
  UNION ALL
  SELECT t.rid,
         t.name || '_' || regexp_replace(btrim(j.key, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)), '[^a-zA-Z0-9_]', '_', 'g'),
         t.path || j.n, json_typeof(j.value), j.value
  FROM t, json_each(t.value) WITH ORDINALITY j(key, value, n)
  WHERE t.type = 'object'
),
ext AS (
  SELECT DISTINCT ON (rid, name) rid, name,
         CASE WHEN type = 'string' THEN value #>> '{}' ELSE value::text END AS val
  FROM t
  WHERE type NOT IN ('object', 'array', 'null')
  ORDER BY rid, name, path DESC
),
pairs AS (
  SELECT x.rid, jsonb_object_agg(CASE WHEN s.labels ? x.name THEN x.name || '_extracted' ELSE x.name END, x.val) AS p
  FROM ext x JOIN m USING (rid) JOIN streams s USING (stream_id)
  GROUP BY x.rid
)
SELECT (s.labels || coalesce(p.p, '{}')
          || jsonb_strip_nulls(jsonb_build_object('__error__', m.err, '__error_details__', m.err_details)))::text AS labels_json,
       m.ts, m.line
FROM m JOIN streams s USING (stream_id)
LEFT JOIN pairs p USING (rid)
ORDER BY m.ts DESC;

-- id: count-by-level
-- LogQL: sum by (level) (count_over_time({app="api"}[5m]))   step=300
SELECT s.level,
       1794268800 + 300 * ((e.ts - 1794268800000000000 + 2 * 300000000000 - 1) / 300000000000 - 1) AS t,
       count(*)::float8 AS v
FROM entries e JOIN streams s USING (stream_id)
WHERE s.app = 'api'
  AND e.ts > 1794268800000000000 - 300000000000 AND e.ts <= 1794528000000000000
GROUP BY 1, 2;

-- id: rate-overlap
-- LogQL: sum by (host) (rate({app="web"}[5m]))   step=60
WITH b AS (
  SELECT s.host,
         (e.ts - 1794268800000000000 + 300000000000 + 60000000000 - 1) / 60000000000 - 5 AS k,
         count(*) AS c
  FROM entries e JOIN streams s USING (stream_id)
  WHERE s.app = 'web'
    AND e.ts > 1794268800000000000 - 300000000000 AND e.ts <= 1794528000000000000
  GROUP BY 1, 2
)
SELECT host, 1794268800 + 60 * (k + d) AS t, sum(c)::float8 / 300 AS v
FROM b CROSS JOIN generate_series(0, 4) r(d)
WHERE k + d BETWEEN 0 AND 4320
GROUP BY 1, 2;

-- id: json-quantile
-- LogQL: quantile_over_time(0.99, {app="api"} | json | unwrap latency_ms [15m]) by (host)   step=900
-- The inner ORDER BY makes the unwrapped value a sort key, so the parallel workers parse the JSON (an aggregate's
-- argument is otherwise computed by the single process that aggregates).
SELECT host, t, percentile_cont(0.99) WITHIN GROUP (ORDER BY x) AS v
FROM (
  SELECT s.host,
         1794268800 + 900 * ((e.ts - 1794268800000000000 + 2 * 900000000000 - 1) / 900000000000 - 1) AS t,
         substring(lat FROM '(?i)^([-+]?(([0-9]+[.]?[0-9]*|[.][0-9]+)(e[-+]?[0-9]+)?|inf|infinity|nan))$')::float8 AS x
  FROM (
    SELECT stream_id, ts, line::json ->> 'latency_ms' AS lat
    FROM entries
    WHERE stream_id = ANY (ARRAY(SELECT stream_id FROM streams WHERE app = 'api'))
      AND ts > 1794268800000000000 - 900000000000 AND ts <= 1794528000000000000
  ) e JOIN streams s USING (stream_id)
  ORDER BY 1, 2, 3
) q
GROUP BY 1, 2
HAVING percentile_cont(0.99) WITHIN GROUP (ORDER BY x) IS NOT NULL;

-- id: logfmt-errors
-- LogQL: sum by (status) (count_over_time({app="web"} | logfmt | __error__="" | status >= 500 [10m]))   step=600
-- status = value of the LAST status key Loki's logfmt decoder (non-strict) would produce, quoted or not.
-- Fast path: the line has exactly one 'status=', at the start of a token, no '"' before it, and an unquoted value
-- ending at a space or the end. Other lines go through a regex that tokenizes the
-- whole line like the decoder (the regex is greedy, so PostgreSQL takes the longest match: the last status token).
-- Non-strict logfmt never sets __error__, so `__error__=""` keeps every line.
SELECT status, t, count(*)::float8 AS v
FROM (
  SELECT 1794268800 + 600 * ((ts - 1794268800000000000 + 2 * 600000000000 - 1) / 600000000000 - 1) AS t,
         coalesce(
           CASE WHEN p > 0 AND strpos(substr(line, p + 7), 'status=') = 0
                     AND (p = 1 OR ascii(substr(line, p - 1, 1)) <= 32) AND strpos(line, '"') NOT BETWEEN 1 AND p - 1
                THEN substring(substr(line, p + 7) FROM '^([^\x01-\x20"=]+)(?:[\x01-\x20]|$)') END,
           array_to_string(regexp_match(line, '^(?:[\x01-\x20]*(?:[^\x01-\x20"=]+="(?:[^"\\]|\\.)*"|(?:[^\x01-\x20"=]+(?:=(?:[^\x01-\x20"][^\x01-\x20]*)?)?|[^\x01-\x20"=]*"[^\x01-\x20]*|=[^\x01-\x20]*)[\x01-\x20]))*[\x01-\x20]*status=(?:"((?:[^"\\]|\\.)+)"|([^\x01-\x20"=]+)(?:[\x01-\x20]|$))'), '')
         ) AS status
  FROM (
    SELECT ts, line, strpos(line, 'status=') AS p
    FROM entries
    WHERE stream_id = ANY (ARRAY(SELECT stream_id FROM streams WHERE app = 'web'))
      AND ts > 1794268800000000000 - 600000000000 AND ts <= 1794528000000000000
  ) e
) x
GROUP BY 1, 2
-- status is a grouping key: min(status) is status; written as an aggregate so that the filter is not pushed below
-- the grouping, where the status expression would run twice a row
HAVING substring(min(status) FROM '(?i)^([-+]?(([0-9]+[.]?[0-9]*|[.][0-9]+)(e[-+]?[0-9]+)?|inf|infinity|nan))$')::float8 >= 500;

-- id: regex-all-prod
-- LogQL: sum(count_over_time({env="prod"} |~ "(?i)error|timeout" [10m]))   step=600
-- ILIKE under COLLATE "C" folds ASCII letters only; no other character folds to a letter of these two words.
SELECT 1794268800 + 600 * ((e.ts - 1794268800000000000 + 2 * 600000000000 - 1) / 600000000000 - 1) AS t,
       count(*)::float8 AS v
FROM entries e
WHERE e.stream_id = ANY (ARRAY(SELECT stream_id FROM streams WHERE env = 'prod'))
  AND e.ts > 1794268800000000000 - 600000000000 AND e.ts <= 1794528000000000000
  AND (e.line ILIKE '%error%' OR e.line ILIKE '%timeout%')
GROUP BY 1;

-- id: topk-paths
-- LogQL: topk(5, sum by (path) (count_over_time({app="nginx"} | pattern "<_> \"<_> <path> <_>\" <_>" [1h])))   instant, time=end
-- pattern matcher: after the first ' "', skip to the next ' ', path = text up to the following ' ' (or to the end
-- of the line); no ' "' or no ' ' after it -> no path label (NULL); an empty capture gives path="".
SELECT path, 1794528000 AS t, count(*)::float8 AS v
FROM (
  SELECT CASE WHEN q = 0 THEN NULL
              WHEN strpos(substr(line, q + 2), ' ') = 0 THEN NULL
              ELSE split_part(substr(line, q + 2), ' ', 2) END AS path
  FROM (
    SELECT line, strpos(line, ' "') AS q
    FROM entries
    WHERE stream_id = ANY (ARRAY(SELECT stream_id FROM streams WHERE app = 'nginx'))
      AND ts > 1794528000000000000 - 3600000000000 AND ts <= 1794528000000000000
  ) e
) x
GROUP BY path
ORDER BY v DESC
LIMIT 5;
