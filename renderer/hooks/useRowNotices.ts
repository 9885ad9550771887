// The one-line notice under each server row, and the screen-reader announcement
// that goes with it (every notice is also announced).
import { useCallback, useState } from 'react';
import type { RowNotice } from '../components/ServerRow';

export function useRowNotices() {
  const [notices, setNotices] = useState<Record<string, RowNotice>>({});
  const [announcement, setAnnouncement] = useState('');

  const notify = useCallback((id: string, notice: Omit<RowNotice, 'at'> | null) => {
    setNotices((all) => {
      const next = { ...all };
      if (notice) next[id] = { ...notice, at: Date.now() };
      else delete next[id];
      return next;
    });
    if (notice) setAnnouncement(notice.text);
  }, []);

  return { notices, notify, announcement, setAnnouncement };
}
