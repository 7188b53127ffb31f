/**
 * Asks the probe (once per command) whether a "see it live" command can run yet; undefined while
 * the answer is coming.
 */
import { useEffect, useState } from 'react';
import type { ProbeResult } from './probe.ts';
import { useServices } from './services.tsx';

export function useCommandProbe(command: string | undefined): ProbeResult | undefined {
  const { probe } = useServices();
  const [result, setResult] = useState<ProbeResult>();
  useEffect(() => {
    if (!command) return;
    let live = true;
    setResult(undefined);
    void probe(command).then((r) => live && setResult(r));
    return () => {
      live = false;
    };
  }, [command, probe]);
  return result;
}
