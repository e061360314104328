import ArgumentParser

TraceTUI.main()
