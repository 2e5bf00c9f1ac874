import { useEffect, useRef, useState } from 'react';
import { useSession } from '../store/hooks';

/** "Export": the conversation as Markdown or JSON (every run, output, ranking and metric), downloaded from the server. */
export function ExportButton({ conversationId, title }: { conversationId: string; title: string }) {
  const session = useSession();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string>();
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !menu.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('pointerdown', close);
    window.addEventListener('keydown', close);
    return () => {
      window.removeEventListener('pointerdown', close);
      window.removeEventListener('keydown', close);
    };
  }, [open]);

  const download = async (format: 'md' | 'json') => {
    setOpen(false);
    setError(undefined);
    try {
      const response = await session.api(`/api/conversations/${encodeURIComponent(conversationId)}/export?format=${format}`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = `${fileName(title)}.${format}`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(`Export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  return (
    <div className="export" ref={menu}>
      <button type="button" className="btn btn-ghost" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)} title="Download this conversation">
        Export
      </button>
      {open && (
        <div className="export-menu" role="menu" aria-label="Export as">
          <button type="button" role="menuitem" className="btn btn-ghost" onClick={() => void download('md')}>
            Markdown (.md)
          </button>
          <button type="button" role="menuitem" className="btn btn-ghost" onClick={() => void download('json')}>
            JSON (.json)
          </button>
        </div>
      )}
      {error && (
        <span className="lane-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

function fileName(title: string): string {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
  return `council-${slug || 'conversation'}`;
}
