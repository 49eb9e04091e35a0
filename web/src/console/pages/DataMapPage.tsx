import { Route, Routes } from 'react-router';
import { PageHeader } from '../../shared/ui';
import { ActivitiesView, ActivityDetailView } from '../data-map/activities';
import { DataMapTabs } from '../data-map/common';
import { FidesView } from '../data-map/fides';
import { FindingsView } from '../data-map/findings';
import { OrganizationView } from '../data-map/organization';
import { OverviewView } from '../data-map/overview';
import { ProcessorsView } from '../data-map/processors';
import { RopaView } from '../data-map/ropa';
import { SystemDetailView } from '../data-map/system-detail';
import { SystemsView } from '../data-map/systems';

/**
 * The data map: one register of systems and data assets (the downstream systems requests send tasks to
 * among them), processors, processing activities and the organization, with the RoPA, findings and Fides
 * manifests computed from it.
 */
export function DataMapPage() {
  return (
    <>
      <PageHeader
        title="Data map"
        description="What personal data the organization holds, where, why, for how long and who receives it: derived from Custos where it knows, typed in where it cannot."
      />
      <DataMapTabs />
      <Routes>
        <Route index element={<OverviewView />} />
        <Route path="systems" element={<SystemsView />} />
        <Route path="systems/:id" element={<SystemDetailView />} />
        <Route path="processors" element={<ProcessorsView />} />
        <Route path="activities" element={<ActivitiesView />} />
        <Route path="activities/:id" element={<ActivityDetailView />} />
        <Route path="organization" element={<OrganizationView />} />
        <Route path="ropa" element={<RopaView />} />
        <Route path="findings" element={<FindingsView />} />
        <Route path="fides" element={<FidesView />} />
      </Routes>
    </>
  );
}
