"""政策问答: questions about Chinese AI-industry policy, answered with clause-level citations."""
