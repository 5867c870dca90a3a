//! Python binding of paynet-core (being written).
