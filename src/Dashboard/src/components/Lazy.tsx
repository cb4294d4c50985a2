import type { FunctionComponent, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { Failure, Loading } from './States';

export interface LazyComponent<P> extends FunctionComponent<P> {
  /** Starts fetching the chunk now (a page that links to it), so it shows at once when opened. */
  preload: () => void;
}

/**
 * A component that is a chunk of its own, fetched the first time it renders or is preloaded (and kept),
 * so pages that never show it never pay for it. While it loads, or if it cannot, `frame` says so.
 */
export function lazy<P extends object>(load: () => Promise<FunctionComponent<P>>, what: string, frame: (content: JSX.Element) => JSX.Element = (content) => content): LazyComponent<P> {
  let loaded: FunctionComponent<P> | null = null;
  let loading: Promise<FunctionComponent<P>> | null = null;
  const start = () =>
    (loading ??= load().then(
      (component) => (loaded = component),
      (error: unknown) => {
        loading = null;
        throw error;
      },
    ));

  function Lazy(props: P) {
    const [Component, setComponent] = useState<FunctionComponent<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Component) return;
      start().then(
        (component) => setComponent(() => component),
        () => setFailed(true),
      );
    }, []);
    if (failed) return frame(<Failure error={new ApiError(0, `${what[0].toUpperCase()}${what.slice(1)} did not load`, 'Check that Tally is running, then reload the page.')} what={what} />);
    if (!Component) return frame(<Loading what={what} />);
    return <Component {...props} />;
  }
  Lazy.preload = () => void start().catch(() => undefined);
  return Lazy;
}
