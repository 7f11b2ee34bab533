/** The reports module's part of every role: its numbers in the users endpoints (profile stats, training series). */
import { registerReportUsage } from '../../projections/reports/usage.js';
import type { AppContext } from '../../composition/context.js';

export function reportsWiring(_ctx: AppContext): void {
  registerReportUsage();
}
