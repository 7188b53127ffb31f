/**
 * The cluster's health for the live screen, read now and again every CLUSTER_HEALTH_POLL_MS while
 * the screen is open; undefined when the app was given no reader (tests that don't ask for it).
 */
import { useEffect, useState } from 'react';
import { CLUSTER_HEALTH_POLL_MS } from '#engine/params.ts';
import type { ClusterHealth } from './clusterHealth.ts';
import { useServices } from './services.tsx';

export function useClusterHealth(): ClusterHealth | undefined {
  const { clusterHealth } = useServices();
  const [health, setHealth] = useState<ClusterHealth | undefined>(() => clusterHealth?.());
  useEffect(() => {
    if (!clusterHealth) return;
    const timer = setInterval(() => setHealth(clusterHealth()), CLUSTER_HEALTH_POLL_MS);
    return () => clearInterval(timer);
  }, [clusterHealth]);
  return health;
}
