// views.js: the console's views by name. Each has a title, render(root,
// params, ctx) and, for the live ones, refresh(root, params) every
// refreshMs.
import { overview, channels, metros, edges, events } from './views_lineup.js';
import { clients, groups } from './views_boxes.js';
import { charts } from './views_charts.js';

export const views = { overview, channels, metros, clients, groups, edges, charts, events };
