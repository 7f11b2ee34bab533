/** Every route module of the control plane, in registration order. */
import type { RouteModule } from './app.js';
import { bookmarkRoutes } from './routes/bookmarks.js';
import { problemRoutes } from './routes/problems.js';

export const routeModules: readonly RouteModule[] = [
  problemRoutes,
  bookmarkRoutes,
];
