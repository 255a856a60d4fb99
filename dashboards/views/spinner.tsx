/** A spinner of its own (no extra package): braille frames on a timer stopped on unmount. */
import { Text } from 'ink';
import { useEffect, useState } from 'react';

export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

export interface SpinnerProps {
  intervalMs?: number;
  color?: string;
}

export function Spinner({ intervalMs = 80, color = 'cyan' }: SpinnerProps) {
  const [frame, setFrame] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => {
      setFrame((current) => (current + 1) % SPINNER_FRAMES.length);
    }, intervalMs);
    // Ink keeps rendering while timers run: a finished step must not keep the process alive.
    timer.unref();
    return () => {
      clearInterval(timer);
    };
  }, [intervalMs]);
  return <Text color={color}>{SPINNER_FRAMES[frame]}</Text>;
}
