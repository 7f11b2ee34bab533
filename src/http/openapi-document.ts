/**
 * The OpenAPI document of the control plane as a client generator sees it: the one served at /docs/json, with keys
 * in a stable order. `syncode openapi --out openapi.json` writes it; a test fails when the committed file is stale.
 */
import type { AppContext } from '../composition/context.js';
import { buildApp } from './app.js';
import { routeModules } from './modules.js';

export async function openApiDocument(ctx: AppContext): Promise<Record<string, unknown>> {
  const app = await buildApp(ctx, routeModules);
  try {
    await app.ready();
    return JSON.parse(JSON.stringify(app.swagger())) as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

export function formatOpenApi(doc: Record<string, unknown>): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
