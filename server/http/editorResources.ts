// The editor's resource API over plain HTTP (`/api/v1/<resource>`): the same handler Grafana reaches through the
// plugin's CallResource, so a standalone server (and the browser test page) answers translate, validate, sample,
// labels and series exactly as the plugin does.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EngineApi } from '../engine/types';
import { handleResource } from '../grafana/resources';
import { parseSettings } from '../grafana/settings';

/** `engineOf` picks the request's engine (the tenant's under multi-tenancy: these routes honour X-Scope-OrgID). */
export function registerEditorResources(
  app: FastifyInstance,
  engineOf: (req: FastifyRequest) => Promise<EngineApi>,
): void {
  const config = parseSettings({ jsonData: '{}' });
  app.route({
    method: ['GET', 'POST'],
    url: '/api/v1/*',
    handler: async (req, reply) => {
      const url = req.url.replace(/^\/api\/v1\//, '');
      const path = url.split('?')[0];
      const body = Buffer.isBuffer(req.body)
        ? req.body
        : req.body === undefined
          ? undefined
          : Buffer.from(JSON.stringify(req.body));
      const res = await handleResource(await engineOf(req), config, { method: req.method, path, url, body });
      for (const [k, v] of Object.entries(res.headers)) reply.header(k, v.join(', '));
      return reply.code(res.status).send(res.body);
    },
  });
}
