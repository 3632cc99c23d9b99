from stance.label.run import main

main()
