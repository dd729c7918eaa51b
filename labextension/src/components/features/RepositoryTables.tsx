import * as React from 'react';

import type { EntityInfo, FeatureServiceInfo } from '../../api';

/** The repository's entities and their join keys. */
export function EntitiesTable(props: { entities: readonly EntityInfo[] }): JSX.Element {
  const { entities } = props;
  return (
    <section className="jp-matih-section" aria-label="Entities">
      <h3 className="jp-matih-section-title">
        Entities <span className="jp-matih-section-subtitle">· {entities.length}</span>
      </h3>
      {entities.length > 0 && (
        <div className="jp-matih-table-scroll">
          <table className="jp-matih-runs jp-matih-entities" aria-label="Entities">
            <thead>
              <tr>
                <th scope="col">Entity</th>
                <th scope="col">Join keys</th>
                <th scope="col">Type</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {entities.map(entity => (
                <tr key={entity.name} data-entity={entity.name}>
                  <th scope="row">{entity.name}</th>
                  <td>{entity.join_keys.join(', ')}</td>
                  <td>{entity.value_type}</td>
                  <td>{entity.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The repository's feature services: the views and features each one reads. */
export function FeatureServicesTable(props: { services: readonly FeatureServiceInfo[] }): JSX.Element {
  const { services } = props;
  return (
    <section className="jp-matih-section" aria-label="Feature services">
      <h3 className="jp-matih-section-title">
        Feature services <span className="jp-matih-section-subtitle">· {services.length}</span>
      </h3>
      {services.length > 0 && (
        <div className="jp-matih-table-scroll">
          <table className="jp-matih-runs jp-matih-feature-services" aria-label="Feature services">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Features</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {services.map(service => (
                <tr key={service.name} data-service={service.name}>
                  <th scope="row" title={`definition ${service.definition_hash}`}>
                    {service.name}
                  </th>
                  <td>
                    {service.views.map(v => (
                      <div key={v.view}>
                        <strong>{v.view}</strong>: {v.features.join(', ')}
                      </div>
                    ))}
                  </td>
                  <td>{service.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
