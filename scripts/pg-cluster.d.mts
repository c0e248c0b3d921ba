export interface Cluster {
  url: string;
  dir: string;
  port: number;
  stop(): Promise<void>;
}
export function startCluster(options?: { dir?: string; keepOnExit?: boolean }): Promise<Cluster>;
export function stopCluster(dir: string): Promise<void>;
export function findBinDir(): string | null;
