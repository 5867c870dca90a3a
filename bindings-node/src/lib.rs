//! Node binding of paynet-core (being written).
