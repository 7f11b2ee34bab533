/** Every route module of the control plane, in registration order. */
import type { RouteModule } from './app.js';

export const routeModules: readonly RouteModule[] = [];
