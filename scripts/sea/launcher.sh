#!/bin/sh
# Grafana backend-plugin launcher for server mode ("backend proxy"): Grafana runs this instead of the glibc
# executable (Alpine images cannot run it). It hands Grafana the address of a running `logqlsql serve --grpc
# HOST:PORT` and sleeps; Grafana detects exit when both pipes close, hence `exec`.
# Address from grafana.ini `[plugin.logqlsql-datasource] grpc_address = HOST:PORT` (Grafana passes it as
# GF_PLUGIN_GRPC_ADDRESS) or from LOGQLSQL_GRPC_ADDRESS.
addr="${GF_PLUGIN_GRPC_ADDRESS:-$LOGQLSQL_GRPC_ADDRESS}"
[ -n "$addr" ] || { echo '{"@level":"error","@message":"set grpc_address in [plugin.logqlsql-datasource] (GF_PLUGIN_GRPC_ADDRESS) to the HOST:PORT of logqlsql serve --grpc","@timestamp":"1970-01-01T00:00:00.000000Z"}' >&2; exit 1; }
printf '1|2|tcp|%s|grpc\n' "$addr" && exec sleep 2147483647
