"""Results published to the public: "you said, we did" for a closed consultation."""
