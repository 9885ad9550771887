// Re-renders once a minute, lined up with the wall clock, so relative times
// ("in 5 min") stay current without polling the app.
import { useEffect, useState } from 'react';

export function useMinuteTick(): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let interval: number | undefined;
    // Line up with the wall clock's minutes, then tick every minute.
    const first = window.setTimeout(() => {
      setTick((t) => t + 1);
      interval = window.setInterval(() => setTick((t) => t + 1), 60_000);
    }, 60_000 - (Date.now() % 60_000));
    return () => {
      window.clearTimeout(first);
      if (interval !== undefined) window.clearInterval(interval);
    };
  }, []);
  return tick;
}
