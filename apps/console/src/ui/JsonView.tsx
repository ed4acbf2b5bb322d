/** A collapsible JSON viewer (react-json-view-lite: small, no dependencies). */
import { Code } from '@mantine/core';
import { JsonView as Viewer, allExpanded, collapseAllNested, defaultStyles } from 'react-json-view-lite';
import 'react-json-view-lite/dist/index.css';

export function JsonView({ value, expanded = false }: { value: unknown; expanded?: boolean }) {
  if (value === undefined || value === null) return <Code>null</Code>;
  if (typeof value !== 'object') return <Code block>{JSON.stringify(value, null, 2)}</Code>;
  return (
    <Viewer
      data={value as object}
      shouldExpandNode={expanded ? allExpanded : collapseAllNested}
      style={defaultStyles}
    />
  );
}
