// A customer's dashboard embedding Homing as it would embed Svix (test/portal/embed.e2e.spec.ts
// bundles it). The page's fragment carries `link` (from appPortalAccess), `app`, `endpointUrl` and `icon`.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { AppPortal, SvixProvider, useEndpoints, useSvix } from 'svix-react';
import 'svix-react/style.css';

const params = new URLSearchParams(location.hash.slice(1));
const link = params.get('link');
const serverUrl = new URL(link).origin;
const token = new URLSearchParams(new URL(link).hash.slice(1)).get('key');
const appId = params.get('app');

function EndpointList() {
  const endpoints = useEndpoints();
  if (endpoints.error) return <p data-testid="api-error">{String(endpoints.error)}</p>;
  if (!endpoints.data) return <p>Loading endpoints…</p>;
  return (
    <ul data-testid="api-endpoints">
      {endpoints.data.map((endpoint) => (
        <li key={endpoint.id}>{endpoint.url}</li>
      ))}
    </ul>
  );
}

function CreateEndpoint() {
  const { svix } = useSvix();
  const [result, setResult] = useState('');
  const create = () =>
    svix.endpoint.create(appId, { url: params.get('endpointUrl'), description: 'From the dashboard' }).then(
      (endpoint) => setResult(`created ${endpoint.id}`),
      (error) => setResult(`failed: ${error}`),
    );
  return (
    <p>
      <button onClick={create}>Create through the API</button> <output data-testid="api-result">{result}</output>
    </p>
  );
}

createRoot(document.getElementById('root')).render(
  <>
    <h1>Customer dashboard</h1>
    <SvixProvider token={token} appId={appId} options={{ serverUrl }}>
      <EndpointList />
      <CreateEndpoint />
    </SvixProvider>
    <AppPortal url={link} fullSize darkMode primaryColor="#0e7c66" fontFamily="Georgia, serif" icon={params.get('icon') ?? undefined} />
  </>,
);
