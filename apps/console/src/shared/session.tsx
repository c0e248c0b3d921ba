import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { allows, type ConsolePermission, consolePermissions, type Me } from './access.ts';

interface Session {
  me: Me;
  perms: ReadonlySet<ConsolePermission>;
  can(p: ConsolePermission | readonly ConsolePermission[]): boolean;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  const value = useMemo(() => {
    const perms = consolePermissions(me);
    return { me, perms, can: (p: ConsolePermission | readonly ConsolePermission[]) => allows(perms, p) };
  }, [me]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside the logged-in shell');
  return s;
}
