/**
 * Mantine's Anchor and Button as TanStack Router links (createLink keeps the routes' typed
 * params and search; Mantine's `component={Link}` would lose them).
 */
import { Anchor, Button, type AnchorProps, type ButtonProps } from '@mantine/core';
import { createLink, type LinkComponent } from '@tanstack/react-router';
import type { AnchorHTMLAttributes, Ref } from 'react';

type AnchorElementProps = AnchorProps &
  AnchorHTMLAttributes<HTMLAnchorElement> & { ref?: Ref<HTMLAnchorElement> };
type ButtonElementProps = ButtonProps &
  AnchorHTMLAttributes<HTMLAnchorElement> & { ref?: Ref<HTMLAnchorElement> };

function MantineAnchor(props: AnchorElementProps) {
  return <Anchor component="a" {...props} />;
}
function MantineButtonAnchor(props: ButtonElementProps) {
  return <Button component="a" {...props} />;
}

const CreatedAnchor = createLink(MantineAnchor);
const CreatedButton = createLink(MantineButtonAnchor);

export const AnchorLink: LinkComponent<typeof MantineAnchor> = (props) => <CreatedAnchor {...props} />;
export const ButtonLink: LinkComponent<typeof MantineButtonAnchor> = (props) => <CreatedButton {...props} />;
