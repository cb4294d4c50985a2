import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { WindowSize } from '../api';
import type { ChartData } from '../series';
import { formatInstant, formatNumber } from '../time';

// Okabe-Ito: told apart with every common colour-vision deficiency; all reach 3:1 against white.
const palette = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#7a5a00', '#56B4E9', '#000000', '#E69F00'];

interface Props {
  data: ChartData;
  window: WindowSize;
  timeZone: string;
  title: string;
}

/** The time series drawn with uPlot on a canvas; the figure's table gives the same numbers as text. */
export function UsageChart({ data, window, timeZone, title }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = `${data.series.map((s) => s.label).join('\u0000')}|${window}|${timeZone}|${data.x.length > 60}`;
  const aligned = () => [data.x, ...data.series.map((s) => s.values)] as uPlot.AlignedData;
  const size = (element: HTMLElement) => ({ width: Math.max(280, element.clientWidth), height: element.clientWidth < 600 ? 220 : 300 });

  // A new plot when the series, window or zone change; new numbers alone only update it.
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    plot.current?.destroy();
    const bars = data.series.length === 1 && (window === 'DAY' || window === 'MONTH');
    const options: uPlot.Options = {
      ...size(element),
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
      cursor: { drag: { x: false, y: false } },
      legend: { show: data.series.length > 1 },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: '#3d4451', grid: { stroke: '#e4e7ec' } },
        { stroke: '#3d4451', grid: { stroke: '#e4e7ec' }, size: 64, values: (_u, ticks) => ticks.map((v) => formatNumber(v)) },
      ],
      series: [
        { value: (_u, ts) => (ts == null ? '' : formatInstant(new Date(ts * 1000), timeZone, window)) },
        ...data.series.map((s, i) => ({
          label: s.label,
          stroke: palette[i % palette.length],
          width: 2,
          fill: data.series.length === 1 ? 'rgba(0, 114, 178, 0.15)' : undefined,
          paths: bars ? uPlot.paths.bars!({ size: [0.7, 60] }) : undefined,
          points: { show: data.x.length <= 60 },
          value: (_u: uPlot, v: number | null) => (v == null ? '–' : formatNumber(v)),
        })),
      ],
    };
    plot.current = new uPlot(options, aligned(), element);
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(aligned());
  }, [data]);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const resize = new ResizeObserver(() => plot.current?.setSize(size(element)));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  const sum = data.series.reduce((total, s) => total + s.values.reduce<number>((acc, v) => acc + (v ?? 0), 0), 0);
  return (
    <div
      class="chart"
      ref={host}
      role="img"
      aria-label={`${title}: ${data.series.length} series over ${data.x.length} windows`}
      data-testid="usage-chart"
      data-windows={data.x.length}
      data-sum={sum}
    />
  );
}
