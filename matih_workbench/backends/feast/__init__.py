"""Feast, the feature store engine: ``repo`` (which repository, its config and definitions), ``store``
(``FeastStore``, the ``FeatureStore`` role), ``online`` (online lookups for serving) and ``demo`` (the
bundled demo repository and its data generator). Importing this package does not import Feast."""
