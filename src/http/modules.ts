/** Every route module of the control plane, in registration order. */
import type { RouteModule } from './app.js';
import { adminAuditRoutes } from './routes/admin-audit.js';
import { adminUsersRoutes } from './routes/admin-users.js';
import { authRoutes } from './routes/auth.js';
import { storageRoutes } from './routes/storage.js';
import { usersRoutes } from './routes/users.js';
import { bookmarkRoutes } from './routes/bookmarks.js';
import { problemRoutes } from './routes/problems.js';
import { adminRoomRoutes } from './routes/admin-rooms.js';
import { internalRoutes } from './routes/internal.js';
import { roomControlRoutes } from './routes/room-control.js';
import { roomMediaRoutes } from './routes/room-media.js';
import { roomRoutes } from './routes/rooms.js';
import { executionRoutes } from './routes/execution.js';
import { feedbackRoutes } from './routes/feedback.js';
import { matchmakingRoutes } from './routes/matchmaking.js';
import { roomExecutionRoutes } from './routes/room-execution.js';
import { sessionPendingRoutes, sessionRoutes } from './routes/sessions.js';
import { reportRoutes } from './routes/reports.js';
import { adminOverviewRoutes } from './routes/admin-overview.js';
import { aiRoutes } from './routes/ai.js';
import { aiHistoryRoutes } from './routes/ai-history.js';
import { playbackRoutes } from './routes/playback.js';

export const routeModules: readonly RouteModule[] = [
  authRoutes,
  usersRoutes,
  adminUsersRoutes,
  adminAuditRoutes,
  storageRoutes,
  problemRoutes,
  bookmarkRoutes,
  roomRoutes,
  roomControlRoutes,
  roomMediaRoutes,
  sessionRoutes,
  feedbackRoutes,
  sessionPendingRoutes,
  reportRoutes,
  adminOverviewRoutes,
  playbackRoutes,
  adminRoomRoutes,
  internalRoutes,
  roomExecutionRoutes,
  executionRoutes,
  matchmakingRoutes,
  aiRoutes,
  aiHistoryRoutes,
];
