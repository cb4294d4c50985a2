import type { ComponentChildren } from 'preact';
import { follow } from '../router';

interface LinkProps {
  href: string;
  children: ComponentChildren;
  class?: string;
  'aria-current'?: 'page';
  'data-testid'?: string;
  onFocus?: () => void;
}

/** An in-app link: a real `<a href>` (keyboard, new tab, copy link) that navigates without a reload. */
export function Link({ href, children, ...rest }: LinkProps) {
  return (
    <a href={href} onClick={follow} {...rest}>
      {children}
    </a>
  );
}
