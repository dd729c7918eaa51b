import './base.css';
import './jobs.css';
import './registry.css';
import './serving.css';
import './monitoring.css';
import './features.css';
