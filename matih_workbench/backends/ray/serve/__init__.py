"""Ray Serve: the serving head (``head``), endpoints as Serve applications (``server``), and what runs in an
endpoint's replica (``endpoint``, ``protocol``, ``validation``, ``stats``, ``inference_log``)."""
