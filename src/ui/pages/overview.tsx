// /ui/:dc/overview/server-status: the servers, the leader and Raft health from
// /v1/operator/autopilot/health and /v1/operator/raft/configuration (refreshed every few seconds:
// these endpoints do not block).
import { useEffect, useState } from 'preact/hooks';
import { apiUrl, call } from '../api';
import { ErrorNote, Layout, Loading } from '../components/layout';

interface ServerHealth {
  ID: string;
  Name: string;
  Address: string;
  SerfStatus: string;
  Version: string;
  Leader: boolean;
  LastContact: string;
  LastTerm: number;
  LastIndex: number;
  Healthy: boolean;
  Voter: boolean;
}

interface AutopilotHealth {
  Healthy: boolean;
  FailureTolerance: number;
  Servers: ServerHealth[];
}

const REFRESH_MS = 3000;

export function OverviewPage({ dc }: { dc: string }) {
  const [health, setHealth] = useState<AutopilotHealth | undefined>(undefined);
  const [leader, setLeader] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    let stopped = false;
    const tick = async (): Promise<void> => {
      try {
        const [h, l] = await Promise.all([call<AutopilotHealth>('GET', apiUrl('operator/autopilot/health', dc)), call<string>('GET', apiUrl('status/leader', dc))]);
        if (stopped) return;
        setHealth(h);
        setLeader(l);
        setError('');
      } catch (e) {
        if (!stopped) setError((e as Error).message);
      }
    };
    void tick();
    const t = setInterval(() => void tick(), REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [dc]);
  return (
    <Layout dc={dc} section="overview" title="Cluster Overview">
      <h1>Cluster overview</h1>
      {error && <ErrorNote text={error} />}
      {!health && !error && <Loading what="server status" />}
      {health && (
        <>
          <dl class="stats">
            <div>
              <dt>Raft health</dt>
              <dd class={health.Healthy ? 'c-passing' : 'c-critical'}>{health.Healthy ? 'Healthy' : 'Unhealthy'}</dd>
            </div>
            <div>
              <dt>Failure tolerance</dt>
              <dd>{health.FailureTolerance}</dd>
            </div>
            <div>
              <dt>Servers</dt>
              <dd>{health.Servers.length}</dd>
            </div>
            <div>
              <dt>Leader</dt>
              <dd>{leader || 'none'}</dd>
            </div>
          </dl>
          <table>
            <caption>Servers</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Address</th>
                <th scope="col">Role</th>
                <th scope="col">Health</th>
                <th scope="col">Last contact</th>
                <th scope="col">Term</th>
                <th scope="col">Index</th>
              </tr>
            </thead>
            <tbody>
              {health.Servers.map((s) => (
                <tr key={s.ID}>
                  <td>{s.Name}</td>
                  <td>{s.Address}</td>
                  <td>{s.Leader ? 'leader' : s.Voter ? 'voter' : 'non-voter'}</td>
                  <td class={s.Healthy ? 'c-passing' : 'c-critical'}>{s.Healthy ? 'healthy' : 'unhealthy'}</td>
                  <td>{s.LastContact}</td>
                  <td>{s.LastTerm}</td>
                  <td>{s.LastIndex}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Layout>
  );
}
