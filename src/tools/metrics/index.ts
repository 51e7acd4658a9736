import type { z } from 'zod';
import type { Tool } from '../tool.ts';
import { activeAlertsTool, silencesTool } from './alertmanager.ts';
import type { MetricsContext } from './context.ts';
import { alertRulesTool, scrapeTargetsTool } from './health.ts';
import { promqlRangeTool, promqlTool } from './promql.ts';

/** The read tools of the prometheus-analyst, against Prometheus and Alertmanager. */
export const METRICS_READ_TOOLS: readonly Tool<z.ZodType, MetricsContext>[] = [
  promqlTool,
  promqlRangeTool,
  alertRulesTool,
  scrapeTargetsTool,
  activeAlertsTool,
  silencesTool,
];
