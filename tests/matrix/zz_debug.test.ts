import { it } from 'vitest';
import { Engine } from '../../server/engine/engine';
import { loadDataset } from '../conformance/cases';
it('debug', async () => {
  for (const url of ['chdb::memory:', 'duckdb::memory:']) {
    const e = await Engine.open(url);
    await e.push(loadDataset());
    const ids = (await e.catalog.all()).filter((s) => s.labels.app === 'nginx').map((s) => s.id);
    const w = e.dialect.placeholder(1, 'int64[]');
    const rows = await e.driver.query(`SELECT stream_id, count(*) AS n, min(ts) AS a FROM entries WHERE stream_id IN (SELECT * FROM unnest(${w})) AND ts >= 1795168770000000000 AND ts < 1795168830000000000 GROUP BY stream_id ORDER BY stream_id`.replace(e.dialect.name === 'clickhouse' ? /stream_id IN \(SELECT \* FROM unnest\((.*?)\)\)/ : /$^/, 'stream_id IN $1'), [ids]);
    console.log(url, rows);
    const rows2 = await e.driver.query(`SELECT stream_id, (-intDiv(((-((ts + -1795168830000000000))) - ((((-((ts + -1795168830000000000))) % 60000000000) + 60000000000) % 60000000000)), 60000000000)) AS c, ts FROM entries WHERE stream_id IN {p1:Array(Int64)} AND ts >= 1795168770000000000 AND ts < 1795168890000000000 ORDER BY ts LIMIT 5`.replace(/intDiv\((.*?), 60000000000\)\) AS c/, e.dialect.name === 'clickhouse' ? 'intDiv($1, 60000000000)) AS c' : '($1 // 60000000000)) AS c').replace('{p1:Array(Int64)}', e.dialect.name === 'clickhouse' ? '{p1:Array(Int64)}' : '(SELECT unnest($1::BIGINT[]))'), [ids]);
    console.log(url, rows2);
    await e.close();
  }
});
