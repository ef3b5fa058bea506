// A standalone server-mode gRPC endpoint (the Grafana plugin services without the HTTP API):
//   node build/logqlsql-grpc.cjs HOST:PORT
// Prints `listening HOST:PORT` on stdout once bound. `logqlsql serve --grpc HOST:PORT` is the full server; this
// entry lets the protocol harness test server mode on its own.
import { defaultEngineFactory } from './engineFactory';
import { createHclogLogger } from './hclog';
import { parseHostPort, startGrpcServer } from './server';

async function main() {
  const { host, port } = parseHostPort(process.argv[2] ?? '127.0.0.1:0');
  const log = createHclogLogger({ level: 'info', module: 'logqlsql-grpc' });
  const srv = await startGrpcServer(defaultEngineFactory, host, port, { logger: log });
  process.stdout.write(`listening ${srv.address}\n`);
  const stop = () => void srv.stop().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`logqlsql-grpc: ${(e as Error).message}\n`);
  process.exit(1);
});
