# Pages the build writes: home, certification, glossary, case and quiz blocks.
