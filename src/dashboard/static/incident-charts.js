// The Incidents view's four charts: alerts per hour, mean time to resolve and automation rate by
// alert name, model spend per day. Drawn by uPlot on canvas, from the bot's own copy of it (see
// vendor-routes.ts); alert names reach the canvas and uPlot's legend as text only.
import uPlot from '/dashboard/vendor/uplot.esm.js';

const HEIGHT = 200;
// The alert names with most resolved incidents; more would leave no room for their labels.
const MOST_NAMES = 12;
// Whole numbers of alerts on the axis, never 0.5 of one.
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000];

const CHARTS = [
  { id: 'chart-alerts-per-hour', title: 'Alerts per hour, last 48 hours', build: alertsPerHour },
  { id: 'chart-mttr', title: 'Mean time to resolve by alert name', build: mttrByName },
  {
    id: 'chart-automation',
    title: 'Automation rate by alert name: fixed by an approved Coxswain action',
    build: automationByName,
  },
  { id: 'chart-spend', title: 'Model spend per day, last 30 days (UTC)', build: spendPerDay },
];

// What is drawn, so a refresh that brings the same figures leaves the charts alone.
let drawnKey = '';
let plots = [];
let last;

function colour(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#4f7cff';
}

// Filled bars with no outline: an hour or a day with nothing draws nothing.
function bars(name) {
  const c = colour(name);
  return {
    stroke: c,
    fill: c,
    width: 0,
    paths: uPlot.paths.bars({ size: [0.7, 36] }),
    points: { show: false },
  };
}

/** Half a step of padding either side, so the first and last bars are whole. */
function padded(half) {
  return (_u, min, max) => [min - half, max + half];
}

function fromZero(least) {
  return (_u, _min, max) => [0, Math.max(least, max)];
}

function alertsPerHour(_width, data) {
  const xs = data.alertsPerHour.map((p) => Date.parse(p.hour) / 1_000);
  const ys = data.alertsPerHour.map((p) => p.alerts);
  return {
    options: {
      scales: { x: { time: true, range: padded(1_800) }, y: { range: fromZero(1) } },
      axes: [{ label: 'hour' }, { label: 'alerts', incrs: COUNT_STEPS }],
      series: [{}, { label: 'alerts', ...bars('--critical') }],
    },
    values: [xs, ys],
  };
}

function dollars(v) {
  return `$${v.toFixed(2)}`;
}

function spendPerDay(_width, data) {
  const xs = data.spendPerDay.map((p) => Date.parse(`${p.day}T00:00:00Z`) / 1_000);
  const ys = data.spendPerDay.map((p) => p.usd);
  return {
    options: {
      // Days are UTC days, as the bot counts them.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1_000), 'Etc/UTC'),
      scales: { x: { time: true, range: padded(43_200) }, y: { range: fromZero(0.01) } },
      axes: [
        { label: 'day (UTC)' },
        { label: 'USD', values: (_u, splits) => splits.map(dollars), size: 60 },
      ],
      series: [
        {},
        { label: 'spend', ...bars('--accent'), value: (_u, v) => (v == null ? '--' : dollars(v)) },
      ],
    },
    values: [xs, ys],
  };
}

/** Each alert name's figures summed over its namespaces, most resolved first. */
function byAlertName(figures) {
  const names = new Map();
  for (const f of figures) {
    const sum = names.get(f.alertname) ?? {
      name: f.alertname,
      resolved: 0,
      seconds: 0,
      automated: 0,
    };
    sum.resolved += f.resolved;
    sum.seconds += (f.mttrSeconds ?? 0) * f.resolved;
    sum.automated += f.automated;
    names.set(f.alertname, sum);
  }
  return [...names.values()]
    .filter((sum) => sum.resolved > 0)
    .sort((a, b) => b.resolved - a.resolved || a.name.localeCompare(b.name))
    .slice(0, MOST_NAMES);
}

/** The longest label that fits under a bar, at about 8 pixels a character and a gap. */
function shortened(name, room) {
  const fit = Math.max(4, Math.floor(room / 8) - 1);
  return name.length > fit ? `${name.slice(0, fit - 1)}…` : name;
}

function categories(width, sums, values, y) {
  const xs = sums.map((_, i) => i);
  const room = (width - 70) / Math.max(1, sums.length);
  return {
    options: {
      scales: {
        x: { time: false, range: () => [-0.5, sums.length - 0.5] },
        y: { range: y.range },
      },
      axes: [
        {
          label: 'alert name',
          splits: () => xs,
          values: (_u, splits) => splits.map((i) => shortened(sums[i]?.name ?? '', room)),
          grid: { show: false },
        },
        { label: y.label, values: (_u, splits) => splits.map(y.format) },
      ],
      series: [
        { label: 'alert', value: (_u, i) => sums[i]?.name ?? '--' },
        { label: y.label, ...bars(y.colour), value: (_u, v) => (v == null ? '--' : y.format(v)) },
      ],
    },
    values: [xs, values],
  };
}

const UNITS = [
  { seconds: 3_600, label: 'hours' },
  { seconds: 60, label: 'minutes' },
  { seconds: 1, label: 'seconds' },
];

function mttrByName(width, data) {
  const sums = byAlertName(data.figures);
  if (sums.length === 0) return { empty: 'No resolved incidents yet.' };
  const mttr = sums.map((sum) => sum.seconds / sum.resolved);
  // The largest unit that keeps the longest bar at two or more.
  const unit = UNITS.find((u) => Math.max(...mttr) >= 2 * u.seconds) ?? UNITS[2];
  return categories(
    width,
    sums,
    mttr.map((s) => s / unit.seconds),
    {
      label: unit.label,
      colour: '--warning',
      range: fromZero(1),
      format: (v) => `${+v.toFixed(1)}`,
    },
  );
}

function automationByName(width, data) {
  const sums = byAlertName(data.figures);
  if (sums.length === 0) return { empty: 'No resolved incidents yet.' };
  return categories(
    width,
    sums,
    sums.map((sum) => (100 * sum.automated) / sum.resolved),
    {
      label: '% automated',
      colour: '--resolved',
      range: () => [0, 100],
      format: (v) => `${Math.round(v)}%`,
    },
  );
}

/** The four figures, made once; each redraw replaces what is inside them. */
function frames(box) {
  if (box.childElementCount !== CHARTS.length)
    box.replaceChildren(
      ...CHARTS.map(({ id, title }) => {
        const figure = document.createElement('figure');
        figure.className = 'chart';
        figure.id = id;
        const caption = document.createElement('figcaption');
        caption.textContent = title;
        const plot = document.createElement('div');
        plot.className = 'plot';
        figure.append(caption, plot);
        return figure;
      }),
    );
  return [...box.querySelectorAll('.chart .plot')];
}

function draw(box, data) {
  const places = frames(box);
  const width = places[0]?.clientWidth ?? 0;
  // A hidden view has no width: it is drawn when it is shown.
  if (width === 0) return;
  const key = JSON.stringify([width, data.alertsPerHour, data.spendPerDay, data.figures]);
  if (key === drawnKey) return;
  drawnKey = key;
  for (const plot of plots) plot.destroy();
  plots = [];
  CHARTS.forEach(({ build }, i) => {
    const place = places[i];
    const chart = build(width, data);
    if (chart.empty !== undefined) {
      const note = document.createElement('p');
      note.className = 'empty';
      note.textContent = chart.empty;
      place.replaceChildren(note);
      return;
    }
    place.replaceChildren();
    plots.push(new uPlot({ width, height: HEIGHT, ...chart.options }, chart.values, place));
  });
}

/** Draws the charts of `data` (the incidents API's answer) in `box`, if anything changed. */
export function drawCharts(box, data) {
  last = { box, data };
  draw(box, data);
}

window.addEventListener('resize', () => {
  if (last) draw(last.box, last.data);
});
