/**
 * The dashboard's charts (Recharts), in a chunk of their own so the numbers show before the
 * chart library has loaded: runs per bucket stacked by outcome, and Dify tokens and cost.
 */
import { Paper, SimpleGrid, Text } from '@mantine/core';
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { RunStats } from '@kairos/protocol';

const OUTCOMES: [string, string][] = [
  ['succeeded', '#12b886'],
  ['failed', '#fa5252'],
  ['timed_out', '#fd7e14'],
  ['lost', '#be4bdb'],
  ['cancelled', '#868e96'],
  ['skipped', '#fab005'],
];

export default function RunCharts({ stats }: { stats: RunStats }) {
  const short =
    stats.bucket.endsWith('d') ||
    (stats.buckets.length > 0 && Date.parse(stats.to) - Date.parse(stats.from) > 2 * 86_400_000);
  const label = (iso: string) =>
    new Date(iso).toLocaleString(
      undefined,
      short ? { month: 'short', day: 'numeric', hour: '2-digit' } : { hour: '2-digit', minute: '2-digit' },
    );
  const data = stats.buckets.map((b) => ({ at: label(b.at), ...b.counts, tokens: b.tokens, cost: b.cost }));
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <Paper withBorder p="md" data-testid="runs-chart">
        <Text fw={600} mb="xs">
          Runs over time by outcome
        </Text>
        <ResponsiveContainer width="100%" height={260}>
          <BarChart data={data}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="at" fontSize={11} minTickGap={24} />
            <YAxis allowDecimals={false} fontSize={11} />
            <Tooltip />
            <Legend />
            {OUTCOMES.map(([status, color]) => (
              <Bar key={status} dataKey={status} stackId="runs" fill={color} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </Paper>
      <Paper withBorder p="md">
        <Text fw={600} mb="xs">
          Dify tokens and cost over time
        </Text>
        <ResponsiveContainer width="100%" height={260}>
          <AreaChart data={data}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="at" fontSize={11} minTickGap={24} />
            <YAxis yAxisId="tokens" fontSize={11} />
            <YAxis yAxisId="cost" orientation="right" fontSize={11} />
            <Tooltip />
            <Legend />
            <Area
              yAxisId="tokens"
              dataKey="tokens"
              stroke="#4c6ef5"
              fill="#dbe4ff"
              isAnimationActive={false}
            />
            <Area yAxisId="cost" dataKey="cost" stroke="#e64980" fill="#ffdeeb" isAnimationActive={false} />
          </AreaChart>
        </ResponsiveContainer>
      </Paper>
    </SimpleGrid>
  );
}
